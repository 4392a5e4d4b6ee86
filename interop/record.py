"""A patient's record as loaded for FHIR: every row the mapping needs for a batch of patients, in a fixed number of
queries whatever the batch holds (so the bulk export's memory is bounded by the batch, not the clinic), and the
resources made from it.

Adding a kind of record (MedicationStatement, AllergyIntolerance, Condition, CarePlan for the safety plan) is one
mapping function appended to MAPPERS, plus the query that fills its field of PatientRecord in `load`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from care.models import Consent, Course, Infusion, Instrument, MeasureResponse, Patient, VitalSign
from interop import documents, mapping, measures
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
    courses: dict[int, Course] = field(default_factory=dict)
    consents: list[Consent] = field(default_factory=list)
    infusions: list[Infusion] = field(default_factory=list)
    vitals: dict[int, list[VitalSign]] = field(default_factory=dict)
    measures: list[MeasureResponse] = field(default_factory=list)
    notes: list[IntegrationNote] = field(default_factory=list)
    addenda: dict[int, list[Addendum]] = field(default_factory=dict)
    entries: list[JournalEntry] = field(default_factory=list)


async def load(
    clinic: Clinic, patient_ids: list[int], journal: JournalChoice = JournalChoice.NONE
) -> list[PatientRecord]:
    """The records of these patients of the clinic, in id order: nine queries for the whole batch."""
    patients = await Patient.filter(clinic_id=clinic.id, id__in=patient_ids).select_related("user").order_by("id")
    ids = [p.id for p in patients]
    records = {p.id: PatientRecord(clinic, p) for p in patients}
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
    for infusion in record.infusions:
        found |= {i for i in (infusion.administered_by_id, infusion.signed_by_id) if i is not None}
    for note in record.notes:
        found |= {i for i in (note.author_id, note.signed_by_id, note.cosigned_by_id) if i is not None}
    found |= {m.entered_by_id for m in record.measures if m.entered_by_id is not None and m.source != "self_report"}
    return found
