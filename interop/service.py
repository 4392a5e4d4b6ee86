"""FHIR use-cases for one patient: the patient's own bundle, and the staff's read-only API (same permission and the
same one-read-event-per-request as the chart)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from care.access import get_patient_for, own_patient
from care.models import Patient
from interop import access, mapping
from interop.mapping import Resource
from interop.record import JournalChoice, PatientRecord, load, resources, staff_ids
from server import audit
from server.actor import Actor
from server.models import Clinic, Role, User


def counts(found: Iterable[Resource]) -> dict[str, int]:
    return dict(sorted(Counter(r["resourceType"] for r in found).items()))


async def _everything(actor: Actor, patient: Patient, journal: JournalChoice) -> list[Resource]:
    """The patient's resources, then the clinic and the staff they refer to."""
    clinic = await Clinic.get(id=patient.clinic_id)
    (record,) = await load(clinic, [patient.id], journal, today=actor.now.date())
    found = list(resources(record))
    staff = await _staff(record)
    return [*found, mapping.organization(clinic), *(mapping.practitioner(u) for u in staff)]


async def _staff(record: PatientRecord) -> list[User]:
    ids = staff_ids(record)
    return await User.filter(id__in=ids, clinic_id=record.clinic.id).exclude(role=Role.PATIENT).order_by("id")


def bundle(found: list[Resource], base: str, kind: str, now: Any) -> Resource:
    entries = [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r} for r in found]
    result: Resource = {"resourceType": "Bundle", "type": kind, "timestamp": mapping.instant(now)}
    if kind == "searchset":
        result["total"] = len(found)
        for entry in entries:
            entry["search"] = {"mode": "match"}
    result["entry"] = entries
    return result


async def patient_bundle(actor: Actor, journal: JournalChoice, base: str) -> Resource:
    """The signed-in patient's record as a FHIR Bundle (type collection), with the journal entries they chose."""
    patient = await own_patient(actor)
    found = await _everything(actor, patient, journal)
    await audit.record_read(
        actor,
        access.PATIENT_EXPORTED,
        object_type="patient",
        object_id=patient.id,
        patient_id=patient.id,
        detail={"journal": str(journal), "resources": counts(found)},
    )
    return bundle(found, base, "collection", actor.now)


async def read_patient(actor: Actor, patient_id: int) -> Resource:
    """`GET /fhir/Patient/{id}`: 404 to anyone who may not open the chart."""
    patient = await get_patient_for(actor, patient_id)
    clinic = await Clinic.get(id=patient.clinic_id)
    await audit.record_read(
        actor, access.READ, object_type="patient", object_id=patient.id, patient_id=patient.id,
        detail={"operation": "read"},
    )  # fmt: skip
    return mapping.patient(patient, clinic)


async def everything(actor: Actor, patient_id: int, base: str) -> Resource:
    """`GET /fhir/Patient/{id}/$everything`: the record as staff may see it (no journal entries: sharing an entry
    with the care team is not releasing it to other systems)."""
    patient = await get_patient_for(actor, patient_id)
    found = await _everything(actor, patient, JournalChoice.NONE)
    await audit.record_read(
        actor, access.READ, object_type="patient", object_id=patient.id, patient_id=patient.id,
        detail={"operation": "everything", "resources": counts(found)},
    )  # fmt: skip
    return bundle(found, base, "searchset", actor.now)
