"""Printable care documents: an infusion record (dose, lot, who gave it and their licence, the pre-dose checklist,
the vitals table, CADSS and MOAA/S, the Spravato REMS items, the signature block) and a patient summary
(demographics, diagnoses, medications with their interaction flags, allergies, contacts, courses and sessions, the
latest PHQ-9 and GAD-7, whether there is a safety plan). The summary holds no process notes and nothing from the
patient's journal: those live in other rooms, and a summary is handed to people outside the care team.

Each document is fetched through the same permission-checked lookup as the page it prints (the infusion record,
the chart), states who printed it and when, and is one audited read in place of the page's own read event. The
print stylesheet (static/css) makes the paper or the PDF (the browser's own "Save as PDF"; headless Chromium in the
browser tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from care import access, essentials, interactions, progress
from care.chart_models import SafetyPlan, SafetyPlanStep
from care.clinical import REMS_OBSERVATION_MINUTES, vital_flags
from care.infusions import RemsStatus, readings, rems_status
from care.models import CareTeam, Consent, Course, Infusion, InfusionVersion, MeasureResponse, VitalSign
from server import audit
from server.actor import Actor
from server.errors import NotFound
from server.models import Role, User

INFUSION_PRINTED = audit.define(
    "infusion.printed", "Someone printed (or saved as PDF) an infusion record with its vitals and signature block."
)
SUMMARY_PRINTED = audit.define(
    "patient.summary_printed",
    "Someone printed (or saved as PDF) a patient summary: diagnoses, medications, allergies, contacts, courses and"
    " the latest measures.",
)
# The REMS monitoring form's observations as the infusion form records them (care/forms.py), in print order.
REMS_CHECKS = (
    ("sedation", "Sedation observed"),
    ("dissociation", "Dissociation observed"),
    ("respiratory_depression", "Respiratory depression observed"),
)
REMS_TEXTS = (
    ("serious_adverse_events", "Serious adverse events"),
    ("concomitant_sedating", "Concomitant sedating medications"),
    ("concomitant_bp_raising", "Concomitant BP-raising medications"),
)


@dataclass
class InfusionPrint:
    infusion: Infusion
    vitals: list[VitalSign]
    vital_flags: list[str]
    rems: RemsStatus | None
    medication_flags: list[interactions.Flag]
    signed_by: User | None
    amendments: int  # amended versions kept after the signature
    printed_by: str
    printed_at: datetime
    observation_minutes: int = REMS_OBSERVATION_MINUTES
    rems_checks: tuple[tuple[str, str], ...] = REMS_CHECKS
    rems_texts: tuple[tuple[str, str], ...] = REMS_TEXTS


async def infusion_record(actor: Actor, infusion_id: int) -> InfusionPrint:
    """An infusion record for print: who may open the record may print it (the patient may not: 404)."""
    infusion = await access.get_infusion_for(actor, infusion_id)
    vitals = list(await VitalSign.filter(infusion_id=infusion.id).order_by("minute_offset", "id"))
    signer = await User.get_or_none(id=infusion.signed_by_id) if infusion.signed_by_id else None
    flags = await essentials.interaction_flags(infusion.patient_id, actor.today)
    kept = await InfusionVersion.filter(infusion_id=infusion.id).count()  # the signature's, then each amendment's
    await audit.record_read(
        actor, INFUSION_PRINTED, object_type="infusion", object_id=infusion.id, patient_id=infusion.patient_id
    )
    return InfusionPrint(
        infusion=infusion,
        vitals=vitals,
        vital_flags=vital_flags(readings(vitals)),
        rems=rems_status(infusion, vitals, actor.today),
        medication_flags=flags,
        signed_by=signer,
        amendments=max(kept - 1, 0),
        printed_by=actor.user.name if actor.user else "",
        printed_at=actor.now,
    )


@dataclass
class Latest:
    """One instrument's first and latest score (a day's last score counts, as on the progress chart)."""

    name: str
    first: MeasureResponse | None
    latest: MeasureResponse | None


@dataclass
class SummaryPrint:
    chart: essentials.Essentials
    team: list[CareTeam]
    courses: list[Course]
    consents: list[Consent]
    infusions: list[Infusion]
    measures: list[Latest]
    plan: SafetyPlan | None
    own_steps: int
    printed_by: str
    printed_at: datetime

    def sessions(self, course: Course) -> list[Infusion]:
        return [i for i in self.infusions if i.course_id == course.id]


async def patient_summary(actor: Actor, patient_id: int) -> SummaryPrint:
    """A patient summary for print: who may open the chart may print it (the patient may not: 404)."""
    patient = await access.get_patient_for(actor, patient_id)
    if actor.role == Role.PATIENT:
        raise NotFound("patient")
    chart = await essentials.snapshot(actor, patient)
    courses = list(await Course.filter(patient_id=patient.id).order_by("started_on", "id"))
    infusions = list(await Infusion.filter(patient_id=patient.id).order_by("scheduled_at", "number"))
    measures = list(await MeasureResponse.filter(patient_id=patient.id).order_by("taken_at", "id"))
    series = progress.split(patient, measures, infusions, actor.tz)
    plan = await SafetyPlan.get_or_none(patient_id=patient.id)
    own = await SafetyPlanStep.filter(plan_id=plan.id).count() if plan else 0
    await audit.record_read(actor, SUMMARY_PRINTED, object_type="patient", object_id=patient.id, patient_id=patient.id)
    return SummaryPrint(
        chart=chart,
        team=list(await CareTeam.filter(patient_id=patient.id).select_related("therapist").order_by("added_at")),
        courses=courses,
        consents=list(await Consent.filter(course__patient_id=patient.id).order_by("signed_on")),
        infusions=infusions,
        measures=[
            Latest("PHQ-9", series.phq9[0] if series.phq9 else None, series.phq9[-1] if series.phq9 else None),
            Latest("GAD-7", series.gad7[0] if series.gad7 else None, series.gad7[-1] if series.gad7 else None),
        ],
        plan=plan,
        own_steps=own,
        printed_by=actor.user.name if actor.user else "",
        printed_at=actor.now,
    )
