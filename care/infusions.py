"""Infusion records, their vitals and flags, and the Spravato REMS checks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from care import access, panels, rules
from care.clinical import (
    REMS_BP_CHECKPOINTS,
    REMS_FORM_DUE_DAYS,
    REMS_OBSERVATION_MINUTES,
    Reading,
    total_mg,
    vital_flags,
)
from care.models import (
    OPEN_COURSE,
    Agent,
    Consent,
    Course,
    Infusion,
    MeasureResponse,
    Patient,
    Protocol,
    RouteOfAdmin,
    VitalSign,
)
from server import audit
from server.actor import Actor
from server.errors import Invalid
from server.forms import local_input
from server.models import Role, User


@dataclass
class InfusionData:
    number: int
    phase: str
    scheduled_at: datetime
    route: str
    agent: str
    started_at: datetime | None = None
    ended_at: datetime | None = None
    dose_mg_per_kg: Decimal | None = None
    weight_kg: Decimal | None = None
    spravato_mg: Decimal | None = None
    lozenge_mg: Decimal | None = None
    high_dose_reason: str = ""
    lot_number: str = ""
    administered_by_id: int | None = None
    cadss: int | None = None
    moaas: int | None = None
    adverse_events: list[str] = field(default_factory=list)
    adverse_other: str = ""
    discharge_ready_at: datetime | None = None
    escort_confirmed: bool = False
    rems: dict[str, Any] = field(default_factory=dict)
    pre_dose_systolic: int | None = None
    pre_dose_diastolic: int | None = None
    bp_decision: str = ""
    bp_decision_reason: str = ""
    fasting_confirmed: bool = False
    medications_reviewed: bool = False

    def columns(self) -> dict[str, Any]:
        values = asdict(self)
        spravato, lozenge = values.pop("spravato_mg"), values.pop("lozenge_mg")
        if self.agent == Agent.ESKETAMINE:
            values.update(dose_mg_per_kg=None, total_mg=spravato)
        elif self.route == RouteOfAdmin.SUBLINGUAL:
            values.update(dose_mg_per_kg=None, total_mg=lozenge, rems={})
        else:
            values["total_mg"] = total_mg(self.dose_mg_per_kg, self.weight_kg)  # type: ignore[arg-type]
            values["rems"] = {}
        return values


NO_COURSE = "Start a treatment course for this patient before recording infusions."


async def find_open_course(patient_id: int) -> Course | None:
    """The patient's open course, if any (one at a time: care/rules.py)."""
    return await Course.filter(patient_id=patient_id, status__in=OPEN_COURSE).order_by("-started_on", "-id").first()


async def open_course(actor: Actor, patient: Patient) -> Course:
    course = await find_open_course(patient.id)
    if course is None:
        raise Invalid({"form": NO_COURSE})
    return course


async def next_number(course: Course) -> int:
    last = await Infusion.filter(course_id=course.id).order_by("-number").first()
    return last.number + 1 if last else 1


async def staff_choices(actor: Actor) -> list[User]:
    return await User.filter(
        clinic_id=actor.clinic_id, role__in=[Role.THERAPIST, Role.SUPERVISOR], disabled_at__isnull=True
    ).order_by("name")


async def _check_links(
    actor: Actor, data: InfusionData, course: Course, patient: Patient, infusion_id: int | None = None
) -> None:
    """The record against the database: the clinician, the number, and the course's rules (care/rules.py)."""
    facts = await rules.course_facts(course, patient, infusion_id)
    errors = rules.course_problems(data, facts, actor.tz)
    if (
        data.administered_by_id is not None
        and not await User.filter(
            id=data.administered_by_id, clinic_id=actor.clinic_id, role__in=[Role.THERAPIST, Role.SUPERVISOR]
        ).exists()
    ):
        errors["administered_by_id"] = "Choose a clinician from this clinic."
    clash = Infusion.filter(course_id=course.id, number=data.number)
    if await (clash.exclude(id=infusion_id) if infusion_id else clash).exists():
        errors.setdefault("number", f"Infusion {data.number} already exists in this course.")
    if errors:
        raise Invalid(errors)


FORM_FIELDS = (
    "number",
    "phase",
    "route",
    "agent",
    "lot_number",
    "administered_by_id",
    "cadss",
    "moaas",
    "adverse_events",
    "adverse_other",
    "escort_confirmed",
    "dose_mg_per_kg",
    "weight_kg",
    "high_dose_reason",
    "pre_dose_systolic",
    "pre_dose_diastolic",
    "bp_decision",
    "bp_decision_reason",
    "fasting_confirmed",
    "medications_reviewed",
)


@dataclass
class InfusionForm:
    """What the infusion form shows: the patient, the record being edited (None for a new one), the clinicians who
    may be named as giving the dose, the consents its course needs before a dose, the values to start from, and why
    a record can't be made yet."""

    patient: Patient
    infusion: Infusion | None
    staff: list[User]
    consents: list[rules.ConsentLine] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


async def new_form(actor: Actor, patient_id: int) -> InfusionForm:
    """A new record's form, numbered next in the open course; `problems` says why not when no course is open."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    staff = await staff_choices(actor)
    try:
        course = await open_course(actor, patient)
    except Invalid as exc:
        return InfusionForm(patient, None, staff, problems=exc.errors)
    spravato = course.protocol == Protocol.SPRAVATO
    values = {
        "number": await next_number(course),
        "phase": "dosing",
        "route": "intranasal" if spravato else "iv",
        "agent": "esketamine" if spravato else "racemic_ketamine",
        "dose_mg_per_kg": "" if spravato else "0.5",  # IV racemic ketamine is usually 0.5 mg/kg over 40 minutes
        "weight_kg": patient.weight_kg,
        "administered_by_id": actor.user_id,
        "adverse_events": [],
    }
    return InfusionForm(patient, None, staff, await _consents(course), values)


async def _consents(course: Course) -> list[rules.ConsentLine]:
    return rules.consent_lines(course, await Consent.filter(course_id=course.id))


async def edit_form(actor: Actor, infusion_id: int) -> InfusionForm:
    infusion = await access.get_infusion_for(actor, infusion_id, write=True)
    values = form_values(infusion, actor.tz)
    if values["pre_dose_systolic"] == "":  # a reading taken before the dose fills the checklist's BP
        before = await VitalSign.filter(infusion_id=infusion.id, minute_offset__lte=0).order_by("minute_offset").first()
        if before:
            values.update(pre_dose_systolic=before.systolic, pre_dose_diastolic=before.diastolic)
    consents = await _consents(infusion.course)
    return InfusionForm(infusion.patient, infusion, await staff_choices(actor), consents, values)


def form_values(infusion: Infusion, tz: str) -> dict[str, Any]:
    """A record as its edit form shows it (times in the clinic's zone, blanks for what was not recorded)."""
    values: dict[str, Any] = {k: getattr(infusion, k) for k in FORM_FIELDS}
    for name in ("scheduled_at", "started_at", "ended_at", "discharge_ready_at"):
        values[name] = local_input(getattr(infusion, name), tz)
    values["spravato_mg"] = (
        str(int(infusion.total_mg)) if infusion.agent == Agent.ESKETAMINE and infusion.total_mg else ""
    )
    sublingual = infusion.route == RouteOfAdmin.SUBLINGUAL and infusion.agent != Agent.ESKETAMINE
    values["lozenge_mg"] = infusion.total_mg if sublingual else ""
    values["high_dose_confirmed"] = bool(infusion.high_dose_reason)
    values.update({f"rems_{k}": v for k, v in infusion.rems.items()})
    return {k: ("" if v is None else v) for k, v in values.items()}


async def _refused(
    actor: Actor, patient: Patient, course: Course | None, infusion: Infusion | None, errors: dict[str, str]
) -> Invalid:
    consents = await _consents(course) if course else []
    return Invalid(errors, page=InfusionForm(patient, infusion, await staff_choices(actor), consents))


async def create_infusion(
    actor: Actor, patient_id: int, data: InfusionData | None, errors: dict[str, str]
) -> Infusion:
    """Record an infusion in the patient's open course; Invalid (with the form's page) when refused."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    course = await find_open_course(patient.id)
    try:
        if course is None or data is None:
            raise Invalid(errors | ({} if course else {"form": NO_COURSE}))
        await _check_links(actor, data, course, patient)
    except Invalid as exc:
        raise await _refused(actor, patient, course, None, exc.errors) from None
    async with in_transaction():
        infusion = await Infusion.create(
            clinic_id=patient.clinic_id,
            course=course,
            patient=patient,
            created_at=actor.now,
            updated_at=actor.now,
            created_by_id=actor.user_id,
            **data.columns(),
        )
        await audit.record(
            actor,
            access.INFUSION_CREATED,
            object_type="infusion",
            object_id=infusion.id,
            patient_id=patient.id,
            detail={"number": data.number},
        )
    return infusion


async def update_infusion(
    actor: Actor, infusion_id: int, data: InfusionData | None, errors: dict[str, str]
) -> Infusion:
    """Change a record; Invalid (with the form's page) when refused."""
    infusion = await access.get_infusion_for(actor, infusion_id, write=True)
    try:
        if data is None:
            raise Invalid(errors)
        await _check_links(actor, data, infusion.course, infusion.patient, infusion.id)
    except Invalid as exc:
        raise await _refused(actor, infusion.patient, infusion.course, infusion, exc.errors) from None
    async with in_transaction():
        await Infusion.filter(id=infusion.id).update(updated_at=actor.now, **data.columns())
        await audit.record(
            actor,
            access.INFUSION_UPDATED,
            object_type="infusion",
            object_id=infusion.id,
            patient_id=infusion.patient_id,
        )
    return infusion


@dataclass
class RemsStatus:
    observed_minutes: int | None
    observation_ok: bool
    checkpoints: list[tuple[str, bool]]
    form_due: date | None
    days_left: int | None
    submitted: bool


def rems_status(infusion: Infusion, vitals: list[VitalSign], today: date) -> RemsStatus | None:
    if infusion.agent != Agent.ESKETAMINE:
        return None
    observed = None
    if infusion.started_at and infusion.discharge_ready_at:
        observed = int((infusion.discharge_ready_at - infusion.started_at).total_seconds() // 60)
    checklist_bp = infusion.pre_dose_systolic is not None  # the pre-dose checklist's BP counts as the one before
    checkpoints = [
        (label, any(lo <= v.minute_offset <= hi for v in vitals) or (checklist_bp and hi <= 0))
        for lo, hi, label in REMS_BP_CHECKPOINTS
    ]
    due = (infusion.started_at or infusion.scheduled_at).date() + timedelta(days=REMS_FORM_DUE_DAYS)
    return RemsStatus(
        observed_minutes=observed,
        observation_ok=observed is not None and observed >= REMS_OBSERVATION_MINUTES,
        checkpoints=checkpoints,
        form_due=due,
        days_left=(due - today).days,
        submitted=bool(infusion.rems.get("form_submitted_on")),
    )


def readings(vitals: list[VitalSign]) -> list[Reading]:
    return [Reading(v.minute_offset, v.systolic, v.diastolic, v.heart_rate, v.spo2) for v in vitals]


@dataclass
class InfusionView:
    infusion: Infusion
    vitals: list[VitalSign]
    flags: list[str]
    rems: RemsStatus | None
    measures: list[MeasureResponse]
    may_record: bool
    panels: list[panels.Rendered]
    break_glass_until: datetime | None = None


async def flags_of(infusion_id: int) -> list[str]:
    """The vital-sign flags of an infusion, as a fact for another room's page (no permission check, no audit: the
    caller has looked the infusion up through care.access and audits its own page)."""
    return vital_flags(readings(await VitalSign.filter(infusion_id=infusion_id).order_by("minute_offset", "id")))


async def flagged_count(clinic_id: int, since: datetime) -> int:
    """How many of the clinic's infusions since `since` have a vital-sign flag: a fact for the quality dashboard."""
    vitals = await VitalSign.filter(infusion__clinic_id=clinic_id, infusion__started_at__gte=since).order_by(
        "infusion_id"
    )
    by_infusion: dict[int, list[VitalSign]] = {}
    for v in vitals:
        by_infusion.setdefault(v.infusion_id, []).append(v)
    return sum(1 for rows in by_infusion.values() if vital_flags(readings(rows)))


async def view_infusion(actor: Actor, infusion_id: int, today: date) -> InfusionView:
    infusion = await access.get_infusion_for(actor, infusion_id)
    may_record = await access.can(actor.user, access.MAY_PATIENT_RECORD, infusion.patient)
    vitals = await VitalSign.filter(infusion_id=infusion.id).order_by("minute_offset", "id")
    measures = await MeasureResponse.filter(infusion_id=infusion.id).order_by("taken_at")
    await audit.record_read(
        actor, access.INFUSION_VIEWED, object_type="infusion", object_id=infusion.id, patient_id=infusion.patient_id
    )
    extra = await panels.collect(actor, infusion.patient, infusion)
    flags, rems = vital_flags(readings(vitals)), rems_status(infusion, vitals, today)
    glass = await access.break_glass_until(actor, infusion.patient) if not may_record else None
    return InfusionView(infusion, vitals, flags, rems, measures, may_record, extra, glass)


@dataclass
class Vitals:
    infusion: Infusion
    rows: list[VitalSign]
    flags: list[str]


async def add_vitals(actor: Actor, infusion_id: int, reading: Reading | None, errors: dict[str, str]) -> Vitals:
    """Append one row of vitals; returns the infusion's rows and flags after the change. A refused row raises Invalid
    with the whole infusion page (read and audited like any view of it)."""
    infusion = await access.get_infusion_for(actor, infusion_id, write=True)
    if reading is None:
        raise Invalid(errors, page=await view_infusion(actor, infusion.id, actor.today))
    async with in_transaction():
        row = await VitalSign.create(
            infusion=infusion,
            recorded_at=actor.now,
            recorded_by_id=actor.user_id,
            **asdict(reading),
        )
        vitals = await VitalSign.filter(infusion_id=infusion.id).order_by("minute_offset", "id")
        await audit.record(
            actor, access.VITALS_RECORDED, object_type="vital_sign", object_id=row.id, patient_id=infusion.patient_id
        )
    return Vitals(infusion, vitals, vital_flags(readings(vitals)))
