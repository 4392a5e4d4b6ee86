"""The infusion form's side of infusion records: the open course and its next number, the clinicians who may be
named as giving a dose, the consents a dose needs, a record as its form shows it, and what a stale save shows beside
the typed values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from care import access, calendar, rules
from care.calendar_models import Booking
from care.essentials import interaction_flags
from care.interactions import Flag
from care.models import OPEN_COURSE, Agent, Consent, Course, Infusion, Patient, Protocol, RouteOfAdmin, VitalSign
from server import audit
from server.actor import Actor
from server.errors import Invalid
from server.forms import local_input
from server.models import Role, User

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


async def staff_choices(actor: Actor, infusion: Infusion | None = None) -> list[User]:
    """Who may be named as giving the dose: the clinic's medical staff, and whoever the record already names (a
    record from before the medical role may name a therapist; an amendment must not drop them unasked)."""
    staff = await User.filter(clinic_id=actor.clinic_id, role=Role.MEDICAL, disabled_at__isnull=True).order_by("name")
    named = infusion.administered_by_id if infusion is not None else None
    if named is None or any(u.id == named for u in staff):
        return staff
    return [*await User.filter(id=named, clinic_id=actor.clinic_id), *staff]


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
    # After a stale save: the record as saved meanwhile, field by field where it differs from what was typed.
    saved_meanwhile: list[tuple[str, str]] = field(default_factory=list)
    booking: Booking | None = None  # the booked dosing session a new record completes
    flags: list[Flag] = field(default_factory=list)  # the current medications' ketamine interactions (checklist)


async def new_form(actor: Actor, patient_id: int, booking_id: int | None = None) -> InfusionForm:
    """A new record's form, numbered next in the open course; `problems` says why not when no course is open. It
    completes a booked dosing session: the one asked for, or else the patient's open one today."""
    patient = await access.get_patient_for(actor, patient_id, write=access.MAY_INFUSION_RECORD)
    await _form_viewed(actor, patient, None)
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
    booking = await calendar.open_dosing(actor, patient.id, booking_id)
    if booking:
        values |= {"booking_id": booking.id, "scheduled_at": local_input(booking.starts_at, actor.tz)}
    flags = await interaction_flags(patient.id, actor.today)
    return InfusionForm(patient, None, staff, await _consents(course), values, booking=booking, flags=flags)


async def _form_viewed(actor: Actor, patient: Patient, infusion: Infusion | None) -> None:
    """The one read event of a page showing the form, first or again after a refusal: new (the patient) or edit."""
    kind, shown = ("infusion", infusion.id) if infusion else ("patient", patient.id)
    detail = {"form": "edit" if infusion else "new"}
    await audit.record_read(
        actor, access.INFUSION_FORM_VIEWED, object_type=kind, object_id=shown, patient_id=patient.id, detail=detail
    )


async def _consents(course: Course) -> list[rules.ConsentLine]:
    return rules.consent_lines(course, await Consent.filter(course_id=course.id))


async def edit_form(actor: Actor, infusion_id: int) -> InfusionForm:
    infusion = await access.get_infusion_for(actor, infusion_id, write=access.MAY_INFUSION_RECORD)
    await _form_viewed(actor, infusion.patient, infusion)
    values = form_values(infusion, actor.tz)
    if values["pre_dose_systolic"] == "":  # a reading taken before the dose fills the checklist's BP
        before = await VitalSign.filter(infusion_id=infusion.id, minute_offset__lte=0).order_by("minute_offset").first()
        if before:
            values.update(pre_dose_systolic=before.systolic, pre_dose_diastolic=before.diastolic)
    consents = await _consents(infusion.course)
    flags = await interaction_flags(infusion.patient_id, actor.today)
    return InfusionForm(infusion.patient, infusion, await staff_choices(actor, infusion), consents, values, flags=flags)


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
    values["version"] = infusion.version
    return {k: ("" if v is None else v) for k, v in values.items()}


async def page_for(actor: Actor, patient: Patient, course: Course | None, infusion: Infusion | None) -> InfusionForm:
    """The form to show again after a refusal (the typed values are the handler's); a read like its first showing."""
    await _form_viewed(actor, patient, infusion)
    consents = await _consents(course) if course else []
    flags = await interaction_flags(patient.id, actor.today)
    return InfusionForm(patient, infusion, await staff_choices(actor, infusion), consents, flags=flags)


async def refused(
    actor: Actor, patient: Patient, course: Course | None, infusion: Infusion | None, errors: dict[str, str]
) -> Invalid:
    return Invalid(errors, page=await page_for(actor, patient, course, infusion))


LABELS = {
    "number": "Infusion number",
    "scheduled_at": "Scheduled",
    "started_at": "Dose started",
    "ended_at": "Dose ended",
    "dose_mg_per_kg": "Dose (mg/kg)",
    "weight_kg": "Weight (kg)",
    "spravato_mg": "Spravato dose (mg)",
    "administered_by_id": "Given by",
    "cadss": "CADSS",
    "moaas": "MOAA/S",
    "adverse_events": "Adverse events",
    "adverse_other": "Other adverse events",
    "discharge_ready_at": "Ready to leave",
    "escort_confirmed": "Escort confirmed",
    "lozenge_mg": "Lozenge dose (mg)",
    "high_dose_reason": "Reason for a dose above 0.75 mg/kg",
    "high_dose_confirmed": "Dose above 0.75 mg/kg confirmed",
    "pre_dose_systolic": "Pre-dose systolic",
    "pre_dose_diastolic": "Pre-dose diastolic",
    "bp_decision": "Blood pressure decision",
    "bp_decision_reason": "Reason for the decision",
    "fasting_confirmed": "Fasting confirmed",
    "medications_reviewed": "Medications reviewed",
}


def _same(saved: Any, typed: Any) -> bool:
    """Whether what was typed says the same as what is saved (checkboxes, lists and numbers compared as such)."""
    if isinstance(saved, bool) or isinstance(typed, bool):
        return bool(saved) == (typed is True or typed == "on")
    if isinstance(saved, list) or isinstance(typed, list):
        return sorted(map(str, saved or [])) == sorted(map(str, typed or []))
    try:
        return Decimal(str(saved)) == Decimal(str(typed))
    except ArithmeticError:
        return str(saved).strip() == str(typed).strip()


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value) or "none"
    text = str(value)
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text):  # a local time as the form holds it
        return text.replace("T", " ")
    return text if text else "blank"


STALE = (
    "Someone else saved this record while you were editing it. Nothing of yours was saved: your changes are in the"
    " form below, and what they saved is listed above it. Save again to replace theirs with yours."
)


async def saved_meanwhile(actor: Actor, infusion_id: int, typed: Any) -> InfusionForm:
    current = await access.get_infusion_for(actor, infusion_id, write=access.MAY_INFUSION_RECORD)
    await _form_viewed(actor, current.patient, current)  # the save was refused unrecorded: this page is its read
    saved = form_values(current, actor.tz)
    differs = [
        (LABELS.get(k, k.replace("_", " ").capitalize()), _shown(v))
        for k, v in saved.items()
        if k != "version" and not _same(v, typed.get(k, ""))
    ]
    page = InfusionForm(
        current.patient,
        current,
        await staff_choices(actor, current),
        await _consents(current.course),
        saved_meanwhile=differs,
    )
    return page
