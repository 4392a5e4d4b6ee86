"""Form parsing for the care room: typed values out, or a message per field with the input kept."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from care import clinical, rules
from care.clinical import Reading
from care.infusions import InfusionData
from care.models import Agent, BpDecision, ConsentKind, CourseStatus, Phase, Protocol, RouteOfAdmin
from care.patients import NewPatient
from server.forms import Form

FUTURE_LIMIT = timedelta(days=2 * 365)
NOT_INTRANASAL = "Intranasal is for esketamine (Spravato): give racemic ketamine IV, IM or as a lozenge."
CLOSE_CHOICES = [CourseStatus.COMPLETED.value, CourseStatus.STOPPED.value]


def parse_patient(data: Mapping[str, Any], today: date) -> tuple[NewPatient | None, Form]:
    f = Form(data)
    name = f.text("name", "the patient's name", required=True)
    email = f.text("email", "the patient's email", required=True, max_len=254)
    password = str(data.get("password", ""))
    mrn = f.text("mrn", "the medical record number", required=True, max_len=32)
    dob = f.date("date_of_birth", "the date of birth", earliest=date(1900, 1, 1), latest=today)
    if dob is not None and clinical.age_on(dob, today) < clinical.ADULT_AGE:
        f.errors["date_of_birth"] = (
            f"Patients must be {clinical.ADULT_AGE} or older: born on or before "
            f"{clinical.born_by(today, clinical.ADULT_AGE):%-d %b %Y}."
        )
    pronouns = f.text("pronouns", "pronouns", max_len=40)
    weight = f.decimal("weight_kg", "weight", *clinical.WEIGHT_KG_RANGE, unit=" kg")
    if f.errors:
        return None, f
    return NewPatient(name, email, password, mrn, dob, pronouns, weight), f  # type: ignore[arg-type]


def parse_course(data: Mapping[str, Any], today: date) -> tuple[dict[str, Any] | None, Form]:
    f = Form(data)
    protocol = f.choice("protocol", "a protocol", [p.value for p in Protocol])
    planned = f.integer("planned_count", "the planned number of sessions", 1, 60)
    started = f.date("started_on", "the start date", latest=today + FUTURE_LIMIT)
    close = f.choice("close_current", "what became of the current course", CLOSE_CHOICES, required=False)
    current = f.integer("current_course_id", "the current course", 1, 2**31 - 1, required=False)
    data = {"protocol": protocol, "planned_count": planned, "started_on": started, "close_current": close}
    data["current_course_id"] = current
    return (None if f.errors else data), f


def parse_course_status(data: Mapping[str, Any]) -> tuple[str | None, Form]:
    f = Form(data)
    return f.choice("status", "a status", [s.value for s in CourseStatus]), f


def parse_consent(data: Mapping[str, Any], today: date) -> tuple[dict[str, Any] | None, Form]:
    f = Form(data)
    kind = f.choice("kind", "the kind of consent", [k.value for k in ConsentKind])
    signed = f.date("signed_on", "the date it was signed", latest=today)
    return (None if f.errors else {"kind": kind, "signed_on": signed}), f


def _moments(f: Form, tz: str, now: datetime) -> dict[str, datetime | None]:
    earliest, latest = datetime(2000, 1, 1, tzinfo=UTC), now + FUTURE_LIMIT
    labels = {
        "scheduled_at": "the scheduled time",
        "started_at": "the start time",
        "ended_at": "the end time",
        "discharge_ready_at": "the ready-to-leave time",
    }
    moments = {
        name: f.moment(name, label, tz, earliest=earliest, latest=latest, required=name == "scheduled_at")
        for name, label in labels.items()
    }
    return moments


def _dose(f: Form, agent: str | None, route: str | None) -> dict[str, Any]:
    """The dose in the unit of its route and agent: Spravato in labelled mg, lozenges in mg, IV/IM in mg/kg (above
    0.75 mg/kg only with a confirmed reason)."""
    confirmed, reason = f.check("high_dose_confirmed"), f.text("high_dose_reason", "the reason", max_len=300)
    for name in ("spravato_mg", "lozenge_mg", "dose_mg_per_kg", "weight_kg"):  # kept as typed, whichever is read
        f.values[name] = str(f.raw.get(name, "") or "").strip()
    none = {"spravato_mg": None, "lozenge_mg": None, "dose_mg_per_kg": None, "weight_kg": None, "high_dose_reason": ""}
    if agent == Agent.ESKETAMINE:
        if route and route != RouteOfAdmin.INTRANASAL:
            f.errors.setdefault("route", "Esketamine (Spravato) is given intranasally.")
        choices = [str(d) for d in clinical.SPRAVATO_DOSES_MG]
        mg = f.choice("spravato_mg", "a Spravato dose (28, 56 or 84 mg)", choices)
        return none | {"spravato_mg": Decimal(mg) if mg else None}
    if route == RouteOfAdmin.INTRANASAL:
        f.errors.setdefault("route", NOT_INTRANASAL)
        return none
    if route == RouteOfAdmin.SUBLINGUAL:
        lozenge = f.decimal("lozenge_mg", "the lozenge dose", *clinical.LOZENGE_MG_RANGE, unit=" mg")
        weight = f.decimal("weight_kg", "the weight", *clinical.WEIGHT_KG_RANGE, required=False, unit=" kg")
        return none | {"lozenge_mg": lozenge, "weight_kg": weight}
    dose = f.decimal("dose_mg_per_kg", "the dose", *clinical.DOSE_MG_PER_KG_RANGE, unit=" mg/kg")
    weight = f.decimal("weight_kg", "the weight", *clinical.WEIGHT_KG_RANGE, unit=" kg")
    for name, message in rules.high_dose_problems(dose, confirmed, reason).items():
        f.errors.setdefault(name, message)
    above = dose is not None and dose > clinical.DOSE_WARN_ABOVE_MG_PER_KG
    return none | {"dose_mg_per_kg": dose, "weight_kg": weight, "high_dose_reason": reason if above else ""}


def _checklist(f: Form) -> dict[str, Any]:
    """The pre-dose checklist as typed; rules.pre_dose_problems says what a started dose still lacks."""
    systolic = f.integer("pre_dose_systolic", "the pre-dose systolic", *clinical.SYSTOLIC_RANGE, required=False)
    diastolic = f.integer("pre_dose_diastolic", "the pre-dose diastolic", *clinical.DIASTOLIC_RANGE, required=False)
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        f.errors.setdefault("pre_dose_diastolic", "Diastolic must be lower than systolic.")
    high = systolic is not None and diastolic is not None and clinical.pre_dose_bp_high(systolic, diastolic)
    decision = f.choice("bp_decision", "whether the dose goes ahead", [d.value for d in BpDecision], required=False)
    reason = f.text("bp_decision_reason", "the reason", max_len=300)
    return {
        "pre_dose_systolic": systolic,
        "pre_dose_diastolic": diastolic,
        "bp_decision": (decision or "") if high else "",
        "bp_decision_reason": reason if high else "",
        "escort_confirmed": f.check("escort_confirmed"),
        "fasting_confirmed": f.check("fasting_confirmed"),
        "medications_reviewed": f.check("medications_reviewed"),
    }


def _rems(f: Form, today: date) -> dict[str, Any]:
    return {
        "sedation": f.check("rems_sedation"),
        "dissociation": f.check("rems_dissociation"),
        "respiratory_depression": f.check("rems_respiratory_depression"),
        "serious_adverse_events": f.text("rems_serious_adverse_events", "serious adverse events", max_len=500),
        "concomitant_sedating": f.text("rems_concomitant_sedating", "sedating medications", max_len=300),
        "concomitant_bp_raising": f.text("rems_concomitant_bp_raising", "BP-raising medications", max_len=300),
        "form_submitted_on": (
            d.isoformat()
            if (d := f.date("rems_form_submitted_on", "the submission date", latest=today, required=False))
            else ""
        ),
    }


def parse_infusion(data: Mapping[str, Any], tz: str, now: datetime, today: date) -> tuple[InfusionData | None, Form]:
    f = Form(data)
    number = f.integer("number", "the infusion number", 1, 200)
    phase = f.choice("phase", "a phase", [p.value for p in Phase])
    route = f.choice("route", "a route", [r.value for r in RouteOfAdmin])
    agent = f.choice("agent", "an agent", [a.value for a in Agent])
    f.values["booking_id"] = str(data.get("booking_id", "") or "")[:12]  # kept for a refused form
    moments = _moments(f, tz, now)
    dose = _dose(f, agent, route)
    checklist = _checklist(f)
    admin = f.integer("administered_by_id", "the clinician", 1, 2**31 - 1, required=False)
    values = dict(
        number=number,
        phase=phase,
        route=route,
        agent=agent,
        lot_number=f.text("lot_number", "the lot number", max_len=40),
        administered_by_id=admin,
        cadss=f.integer("cadss", "the CADSS score", *clinical.CADSS_RANGE, required=False),
        moaas=f.integer("moaas", "the MOAA/S score", *clinical.MOAAS_RANGE, required=False),
        adverse_events=f.many("adverse_events", clinical.ADVERSE_EVENTS),
        adverse_other=f.text("adverse_other", "other adverse events", max_len=200),
        rems=_rems(f, today) if agent == Agent.ESKETAMINE else {},
        **moments,
        **dose,
        **checklist,
    )
    problems = rules.time_problems(moments, agent, now, tz) | rules.pre_dose_problems(values)
    for name, message in problems.items():
        f.errors.setdefault(name, message)
    if f.errors:
        return None, f
    return InfusionData(**values), f


def parse_vitals(data: Mapping[str, Any]) -> tuple[Reading | None, Form]:
    f = Form(data)
    minute = f.integer("minute_offset", "the minute", *clinical.MINUTE_RANGE)
    systolic = f.integer("systolic", "the systolic pressure", *clinical.SYSTOLIC_RANGE)
    diastolic = f.integer("diastolic", "the diastolic pressure", *clinical.DIASTOLIC_RANGE)
    heart_rate = f.integer("heart_rate", "the heart rate", *clinical.HR_RANGE)
    spo2 = f.integer("spo2", "the SpO2", *clinical.SPO2_RANGE)
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        f.errors.setdefault("diastolic", "Diastolic must be lower than systolic.")
    if f.errors:
        return None, f
    return Reading(minute, systolic, diastolic, heart_rate, spo2), f  # type: ignore[arg-type]


def parse_answers(data: Mapping[str, Any], count: int) -> tuple[list[int] | None, Form]:
    f = Form(data)
    answers = [f.integer(f"q{i}", f"an answer to question {i}", 0, 3) for i in range(1, count + 1)]
    for i in range(1, count + 1):
        if f"q{i}" in f.errors:
            f.errors[f"q{i}"] = "Choose one answer for this question."
    return (None if f.errors else [a for a in answers if a is not None]), f


def parse_cssrs(data: Mapping[str, Any]) -> tuple[dict[str, bool | None] | None, Form]:
    """Yes/no answers with the screener's skip logic: Q3–Q5 only after yes to Q2; recency only after yes to Q6."""
    f = Form(data)
    answers: dict[str, bool | None] = {}

    def yes_no(name: str) -> bool | None:
        value = f.choice(name, "yes or no", ["yes", "no"])
        return None if value is None else value == "yes"

    answers["q1"], answers["q2"] = yes_no("q1"), yes_no("q2")
    for name in ("q3", "q4", "q5"):
        answers[name] = yes_no(name) if answers["q2"] else None
    answers["q6_lifetime"] = yes_no("q6_lifetime")
    answers["q6_recent"] = yes_no("q6_recent") if answers["q6_lifetime"] else None
    if answers["q2"] is False:
        for name in ("q3", "q4", "q5"):
            f.errors.pop(name, None)
    return (None if f.errors else answers), f
