"""The safety plan (Stanley B, Brown GK. Safety Planning Intervention: a brief intervention to mitigate suicide risk.
Cogn Behav Pract 2012;19(2):256-264): six steps the therapist writes with the patient, versioned like every record,
shown to the patient at /me/safety-plan (linked from the journal's crisis panel) and printable on one page. The
patient may add coping steps of their own; they never change the therapist's words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tortoise.transactions import in_transaction

from care import access, one_row
from care.chart_models import SafetyPlan, SafetyPlanStep
from care.models import Patient
from server import audit, once
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.forms import Form

VIEWED = audit.define("safety_plan.viewed", "Someone opened a patient's safety plan (the patient: their own).")
SAVED = audit.define("safety_plan.saved", "The therapist saved a patient's safety plan (detail: `changed` steps).")
STEP_ADDED = audit.define("safety_plan.step_added", "A patient added a coping step of their own to their safety plan.")
PRINTED = audit.define("safety_plan.printed", "A clinician printed (or saved as PDF) a patient's safety plan.")
SAVE_CONFLICT = audit.define(
    "safety_plan.save_conflict", "Saving a safety plan was refused: someone saved it meanwhile."
)
# The six steps, in order: (field, heading, what to write).
STEPS = (
    ("warning_signs", "1. Warning signs", "thoughts, images, moods or situations that tell a crisis may be coming"),
    ("coping", "2. Things I can do on my own", "to take my mind off my problems (relaxing, moving, a place to go)"),
    ("distractions", "3. People and places that take my mind off things", "names, phones and social settings"),
    ("helpers", "4. People I can ask for help", "names and phone numbers"),
    (
        "professionals",
        "5. Professionals and crisis lines",
        "the clinic, my clinician, 988, the nearest emergency department",
    ),
    ("environment", "6. Making my surroundings safer", "what to put away or give to someone to keep"),
)
MAX_STEP = 2000
STALE = "Someone saved this plan meanwhile; it is shown as saved now beside your version. Nothing of yours was saved."


def parse(raw: Mapping[str, Any]) -> tuple[dict[str, str] | None, Form]:
    """The six steps; each needs at least one line (an empty step is refused beside its field)."""
    f = Form(raw)
    columns = {}
    for name, heading, _hint in STEPS:
        text = f.text(name, heading, max_len=MAX_STEP)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines and name not in f.errors:
            f.errors[name] = f"Write at least one line for “{heading[3:]}” with the patient."
        columns[name] = "\n".join(lines)
    return (None, f) if f.errors else (columns, f)


@dataclass
class PlanPage:
    patient: Patient
    plan: SafetyPlan | None
    own: list[SafetyPlanStep] = field(default_factory=list)
    may_write: bool = False
    saved_meanwhile: bool = False

    def lines(self, name: str) -> list[str]:
        return getattr(self.plan, name).splitlines() if self.plan else []


async def _page(actor: Actor, patient: Patient, **extra: Any) -> PlanPage:
    plan = await SafetyPlan.get_or_none(patient_id=patient.id)
    own = await SafetyPlanStep.filter(plan_id=plan.id).order_by("added_at") if plan else []
    may = actor.role != "patient" and await access.can(actor.user, access.MAY_PATIENT_RECORD, patient)
    return PlanPage(patient, plan, list(own), may_write=may, **extra)


async def _viewed(actor: Actor, patient: Patient, **extra: Any) -> PlanPage:
    page = await _page(actor, patient, **extra)
    where = {
        "object_type": "safety_plan" if page.plan else "patient",
        "object_id": page.plan.id if page.plan else patient.id,
    }
    await audit.record_read(actor, VIEWED, patient_id=patient.id, **where)
    return page


async def staff_page(actor: Actor, patient_id: int) -> PlanPage:
    """The plan on the clinician's side: the care team writes it, a supervisor reads it."""
    return await _viewed(actor, await access.get_patient_for(actor, patient_id))


async def print_page(actor: Actor, patient_id: int) -> PlanPage:
    """The plan on one printed page, for the care team to hand over: one `safety_plan.printed` (404 without a plan)."""
    patient = await access.get_patient_for(actor, patient_id)
    page = await _page(actor, patient)
    if page.plan is None:
        raise NotFound("safety plan")
    await audit.record_read(actor, PRINTED, object_type="safety_plan", object_id=page.plan.id, patient_id=patient.id)
    return page


async def my_page(actor: Actor) -> PlanPage:
    """The patient's own plan."""
    return await _viewed(actor, await access.own_patient(actor))


async def save(
    actor: Actor, patient_id: int, version: int | None, columns: dict[str, str] | None, errors: dict[str, str]
) -> SafetyPlan:
    """Save the plan from the version the form showed (0: a first plan); 409 when it was saved meanwhile."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    if columns is None:
        raise Invalid(errors, page=await _viewed(actor, patient))
    before = await SafetyPlan.get_or_none(patient_id=patient.id)
    changed = one_row.changed(before, columns)
    try:
        async with in_transaction():
            plan = await one_row.save(SafetyPlan, actor, patient, version, columns)
            detail = {"changed": [n for n, _h, _w in STEPS if n in changed]}
            await audit.record(
                actor, SAVED, object_type="safety_plan", object_id=plan.id, patient_id=patient.id, detail=detail
            )
    except one_row.Stale:
        async with in_transaction():
            await audit.record(
                actor,
                SAVE_CONFLICT,
                outcome="refused",
                object_type="patient",
                object_id=patient.id,
                patient_id=patient.id,
            )
        with audit.shown_again():
            page = await _page(actor, patient, saved_meanwhile=True)
        raise Invalid({"form": STALE}, page=page, status=409) from None
    return plan


async def add_step(actor: Actor, key: str, text: str) -> SafetyPlanStep:
    """The patient adds a coping step of their own; a repeat of the same form adds nothing more."""
    patient = await access.own_patient(actor)
    plan = await SafetyPlan.get_or_none(patient_id=patient.id)
    if plan is None:
        raise NotFound("safety plan")
    if (first := await once.repeat(actor, key, "safety_step")) is not None:
        return await SafetyPlanStep.get(id=first)
    text = text.strip()
    if not text or len(text) > 200:
        message = "Write the step you want to add." if not text else "Use at most 200 characters."
        raise Invalid({"step": message}, page=await _viewed(actor, patient))

    async def make() -> SafetyPlanStep:
        step = await SafetyPlanStep.create(plan_id=plan.id, text=text, added_at=actor.now)
        await audit.record(actor, STEP_ADDED, object_type="safety_plan", object_id=plan.id, patient_id=patient.id)
        return step

    return await once.create(actor, key, "safety_step", make, lambda pk: SafetyPlanStep.get(id=pk))
