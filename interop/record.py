"""A patient's record as loaded for FHIR: every row the mapping needs for a batch of patients, in a fixed number of
queries whatever the batch holds (so the bulk export's memory is bounded by the batch, not the clinic), and the
resources made from it.

Adding a kind of record is one mapping function appended to MAPPERS, plus the query that fills its field of
PatientRecord in `load` (one query per kind for the whole batch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from care.chart_models import Allergy, ChartProfile, Diagnosis, Medication, SafetyPlan, SafetyPlanStep
from care.models import Consent, Course, Infusion, Instrument, MeasureResponse, Patient, VitalSign
from interop import chart, documents, mapping, measures
from interop.mapping import Resource
from journal.models import JournalEntry
from notes.models import Addendum, IntegrationNote
from server.models import Clinic


class JournalChoice(StrEnum):
    """Which of their journal entries a patient includes in their own bundle (staff exports include none)."""

    NONE = "none"
    SHARED = "shared"
    ALL = "all"


@dataclass
class PatientRecord:
    clinic: Clinic
    patient: Patient
    today: date
    diagnoses: list[Diagnosis] = field(default_factory=list)
    medications: list[Medication] = field(default_factory=list)
    allergies: list[Allergy] = field(default_factory=list)
    profile: ChartProfile | None = None
    safety_plan: SafetyPlan | None = None
    own_steps: list[SafetyPlanStep] = field(default_factory=list)
    courses: dict[int, Course] = field(default_factory=dict)
    consents: list[Consent] = field(default_factory=list)
    infusions: list[Infusion] = field(default_factory=list)
    vitals: dict[int, list[VitalSign]] = field(default_factory=dict)
    measures: list[MeasureResponse] = field(default_factory=list)
    notes: list[IntegrationNote] = field(default_factory=list)
    addenda: dict[int, list[Addendum]] = field(default_factory=dict)
    entries: list[JournalEntry] = field(default_factory=list)


async def _chart(records: dict[int, PatientRecord]) -> None:
    """The chart's essentials and the safety plan of the batch: six queries."""
    ids = list(records)
    for kind, attribute in ((Diagnosis, "diagnoses"), (Medication, "medications"), (Allergy, "allergies")):
        for row in await kind.filter(patient_id__in=ids).order_by("id"):
            getattr(records[row.patient_id], attribute).append(row)
    for profile in await ChartProfile.filter(patient_id__in=ids):
        records[profile.patient_id].profile = profile
    plans = {p.id: p for p in await SafetyPlan.filter(patient_id__in=ids)}
    for plan in plans.values():
        records[plan.patient_id].safety_plan = plan
    for step in await SafetyPlanStep.filter(plan_id__in=list(plans)).order_by("added_at", "id"):
        records[plans[step.plan_id].patient_id].own_steps.append(step)


async def load(
    clinic: Clinic, patient_ids: list[int], journal: JournalChoice = JournalChoice.NONE, today: date | None = None
) -> list[PatientRecord]:
    """The records of these patients of the clinic, in id order: fifteen queries for the whole batch. `today`
    decides which medications are current (default: today in UTC)."""
    today = today or datetime.now(UTC).date()
    patients = await Patient.filter(clinic_id=clinic.id, id__in=patient_ids).select_related("user").order_by("id")
    ids = [p.id for p in patients]
    records = {p.id: PatientRecord(clinic, p, today) for p in patients}
    await _chart(records)
    courses = {c.id: c for c in await Course.filter(patient_id__in=ids).order_by("id")}
    for course in courses.values():
        records[course.patient_id].courses[course.id] = course
    for consent in await Consent.filter(course_id__in=list(courses)).order_by("id"):
        records[courses[consent.course_id].patient_id].consents.append(consent)
    infusions = await Infusion.filter(patient_id__in=ids).order_by("id")
    by_infusion = {i.id: records[i.patient_id] for i in infusions}
    for infusion in infusions:
        records[infusion.patient_id].infusions.append(infusion)
    for vital in await VitalSign.filter(infusion_id__in=list(by_infusion)).order_by(
        "infusion_id", "minute_offset", "id"
    ):
        by_infusion[vital.infusion_id].vitals.setdefault(vital.infusion_id, []).append(vital)
    instruments = [Instrument.PHQ9, Instrument.GAD7]
    for measure in await MeasureResponse.filter(patient_id__in=ids, instrument__in=instruments).order_by("id"):
        records[measure.patient_id].measures.append(measure)
    notes = await IntegrationNote.filter(patient_id__in=ids, status__in=documents.FINAL).order_by("id")
    by_note = {n.id: records[n.patient_id] for n in notes}
    for note in notes:
        records[note.patient_id].notes.append(note)
    for addendum in await Addendum.filter(note_id__in=list(by_note)).order_by("signed_at", "id"):
        by_note[addendum.note_id].addenda.setdefault(addendum.note_id, []).append(addendum)
    if journal != JournalChoice.NONE:
        entries = JournalEntry.filter(patient_id__in=ids)
        if journal == JournalChoice.SHARED:
            entries = entries.filter(shared=True)
        for entry in await entries.order_by("id"):
            records[entry.patient_id].entries.append(entry)
    return list(records.values())


def _patient(record: PatientRecord) -> Iterable[Resource]:
    return [mapping.patient(record.patient, record.clinic)]


def _conditions(record: PatientRecord) -> Iterable[Resource]:
    return [chart.condition(d) for d in record.diagnoses]


def _medications(record: PatientRecord) -> Iterable[Resource]:
    return [chart.medication_statement(m, record.today) for m in record.medications]


def _allergies(record: PatientRecord) -> Iterator[Resource]:
    yield from (chart.allergy(a) for a in record.allergies)
    profile = record.profile
    if profile is not None and profile.no_known_allergies and not any(a.active for a in record.allergies):
        yield chart.no_known_allergies(profile)


def _safety_plan(record: PatientRecord) -> Iterable[Resource]:
    return [chart.care_plan(record.safety_plan, record.own_steps)] if record.safety_plan else []


def _consents(record: PatientRecord) -> Iterable[Resource]:
    return [mapping.consent(c, record.courses[c.course_id], record.clinic.id) for c in record.consents]


def _sessions(record: PatientRecord) -> Iterator[Resource]:
    for infusion in record.infusions:
        yield mapping.encounter(infusion, record.courses[infusion.course_id])
        yield from mapping.medication_administration(infusion)
        for vital in record.vitals.get(infusion.id, []):
            yield from mapping.vitals(infusion, vital)
        yield from mapping.session_scores(infusion)
        yield from mapping.infusion_provenance(infusion)


def _questionnaires(record: PatientRecord) -> Iterator[Resource]:
    for measure in record.measures:
        yield from measures.questionnaire(measure)


def _notes(record: PatientRecord) -> Iterator[Resource]:
    for note in record.notes:
        yield from documents.note_documents(note, record.addenda.get(note.id, []))


def _journal(record: PatientRecord) -> Iterable[Resource]:
    return [documents.journal_document(e) for e in record.entries]


# Each maps one part of the record; a new kind of record is one more function here.
MAPPERS: tuple[Callable[[PatientRecord], Iterable[Resource]], ...] = (
    _patient,
    _conditions,
    _medications,
    _allergies,
    _safety_plan,
    _consents,
    _sessions,
    _questionnaires,
    _notes,
    _journal,
)


def resources(record: PatientRecord) -> Iterator[Resource]:
    for mapper in MAPPERS:
        yield from mapper(record)


def staff_ids(record: PatientRecord) -> set[int]:
    """The staff a record's resources refer to (as Practitioner)."""
    found: set[int] = set()
    for row in (*record.diagnoses, *record.allergies):
        found |= {row.created_by_id} if row.created_by_id is not None else set()
    if record.profile is not None and record.profile.allergies_reviewed_by_id is not None:
        found.add(record.profile.allergies_reviewed_by_id)
    if record.safety_plan is not None and record.safety_plan.updated_by_id is not None:
        found.add(record.safety_plan.updated_by_id)
    for infusion in record.infusions:
        found |= {i for i in (infusion.administered_by_id, infusion.signed_by_id) if i is not None}
    for note in record.notes:
        found |= {i for i in (note.author_id, note.signed_by_id, note.cosigned_by_id) if i is not None}
    found |= {m.entered_by_id for m in record.measures if m.entered_by_id is not None and m.source != "self_report"}
    return found
