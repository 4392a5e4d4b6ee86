"""The infusion form's side of infusion records: the open course and its next number, the clinicians who may be
named as giving a dose, a record as its form shows it, and what a stale save shows beside the typed values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from care import access
from care.models import Agent, Course, CourseStatus, Infusion, Patient
from server.actor import Actor
from server.errors import Invalid
from server.forms import local_input
from server.models import Role, User


async def open_course(actor: Actor, patient: Patient) -> Course:
    course = await Course.filter(patient_id=patient.id).exclude(
        status__in=[CourseStatus.COMPLETED, CourseStatus.STOPPED]
    )
    if not course:
        raise Invalid({"form": "Start a treatment course for this patient before recording infusions."})
    return sorted(course, key=lambda c: c.started_on)[-1]


async def next_number(course: Course) -> int:
    last = await Infusion.filter(course_id=course.id).order_by("-number").first()
    return last.number + 1 if last else 1


async def staff_choices(actor: Actor) -> list[User]:
    return await User.filter(
        clinic_id=actor.clinic_id, role__in=[Role.THERAPIST, Role.SUPERVISOR], disabled_at__isnull=True
    ).order_by("name")


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
)


@dataclass
class InfusionForm:
    """What the infusion form shows: the patient, the record being edited (None for a new one), the clinicians who
    may be named as giving the dose, the values to start from, and why a record can't be made yet."""

    patient: Patient
    infusion: Infusion | None
    staff: list[User]
    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    # After a stale save: the record as saved meanwhile, field by field where it differs from what was typed.
    saved_meanwhile: list[tuple[str, str]] = field(default_factory=list)
    version: int | None = None  # the version the form now edits (the current one, after a stale save)


async def new_form(actor: Actor, patient_id: int) -> InfusionForm:
    """A new record's form, numbered next in the open course; `problems` says why not when no course is open."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    staff = await staff_choices(actor)
    try:
        course = await open_course(actor, patient)
    except Invalid as exc:
        return InfusionForm(patient, None, staff, problems=exc.errors)
    values = {
        "number": await next_number(course),
        "phase": "dosing",
        "route": "iv",
        "agent": "racemic_ketamine",
        "dose_mg_per_kg": "0.5",  # IV racemic ketamine is usually 0.5 mg/kg over 40 minutes
        "weight_kg": patient.weight_kg,
        "administered_by_id": actor.user_id,
        "adverse_events": [],
    }
    return InfusionForm(patient, None, staff, values)


async def edit_form(actor: Actor, infusion_id: int) -> InfusionForm:
    infusion = await access.get_infusion_for(actor, infusion_id, write=True)
    return InfusionForm(infusion.patient, infusion, await staff_choices(actor), form_values(infusion, actor.tz))


def form_values(infusion: Infusion, tz: str) -> dict[str, Any]:
    """A record as its edit form shows it (times in the clinic's zone, blanks for what was not recorded)."""
    values: dict[str, Any] = {k: getattr(infusion, k) for k in FORM_FIELDS}
    for name in ("scheduled_at", "started_at", "ended_at", "discharge_ready_at"):
        values[name] = local_input(getattr(infusion, name), tz)
    values["spravato_mg"] = (
        str(int(infusion.total_mg)) if infusion.agent == Agent.ESKETAMINE and infusion.total_mg else ""
    )
    values.update({f"rems_{k}": v for k, v in infusion.rems.items()})
    values["version"] = infusion.version
    return {k: ("" if v is None else v) for k, v in values.items()}


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


async def refused(actor: Actor, patient: Patient, infusion: Infusion | None, errors: dict[str, str]) -> Invalid:
    return Invalid(errors, page=InfusionForm(patient, infusion, await staff_choices(actor)))


async def saved_meanwhile(actor: Actor, infusion_id: int, typed: Any) -> InfusionForm:
    current = await access.get_infusion_for(actor, infusion_id, write=True)
    saved = form_values(current, actor.tz)
    differs = [
        (LABELS.get(k, k.replace("_", " ").capitalize()), _shown(v))
        for k, v in saved.items()
        if k != "version" and not _same(v, typed.get(k, ""))
    ]
    page = InfusionForm(current.patient, current, await staff_choices(actor), saved_meanwhile=differs)
    page.version = current.version
    return page
