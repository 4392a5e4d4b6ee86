"""The chart's essentials: medications (with ketamine interaction flags, care/interactions.py), allergies or an
explicit "no known allergies", diagnoses with ICD-10-CM codes (care/icd10.py), and the emergency contact, escort and
referring prescriber.

Care-team therapists and medical staff write them (the nurse reconciles medications and records allergies before a
dose); diagnoses are written by care-team therapists and medical staff licensed to diagnose (MD, DO, NP, PA);
supervisors (and a clinician who broke the glass) read them. Every create carries
a form key (a repeat returns the first row), every edit the version it started from (a stale one is refused with
409, the record as it is now shown beside what was typed). Each write and each page is audited once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from care import access, interactions, one_row, reads
from care.chart_models import Allergy, ChartProfile, Diagnosis, Medication
from care.models import Patient
from server import audit, once
from server.actor import Actor
from server.compiled_together import Batch
from server.errors import Invalid, NotFound
from server.policy import Rule

VIEWED = audit.define("essentials.viewed", "Someone opened a patient's medications, allergies, diagnoses and contacts.")
ADDED = audit.define(
    "essentials.added",
    "A medication, allergy or diagnosis was added to a chart (detail: `kind`; for a diagnosis its `code`).",
)
CHANGED = audit.define(
    "essentials.changed",
    "A medication, allergy or diagnosis was changed, stopped or marked entered in error (detail: "
    "`kind`, `changed` field names).",
)
CONTACTS_CHANGED = audit.define(
    "essentials.contacts_changed",
    "A patient's emergency contact, escort or referring prescriber changed (detail: `changed` field names).",
)
NO_KNOWN_ALLERGIES = audit.define("essentials.no_known_allergies", "A clinician recorded “no known allergies”.")
SAVE_CONFLICT = audit.define(
    "essentials.save_conflict", "An edit of a chart's essentials was refused: someone saved the same record meanwhile."
)
STALE = (
    "Someone changed this meanwhile; it now reads as shown in the list. Your version is in the form. Nothing of "
    "yours was saved."
)
KINDS: dict[str, type[Model]] = {"medication": Medication, "allergy": Allergy, "diagnosis": Diagnosis}


@dataclass
class Essentials:
    patient: Patient
    medications: list[Medication]
    allergies: list[Allergy]
    diagnoses: list[Diagnosis]
    profile: ChartProfile | None
    flags: list[interactions.Flag]
    may_record: bool
    may_diagnose: bool
    today: date
    editing: tuple[str, int] | None = None  # the row whose edit form is open
    failed: str = ""  # the form a refused post came from: its messages and typed values are shown there
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def active_allergies(self) -> list[Allergy]:
        return [a for a in self.allergies if a.active]


def _rule(kind: str) -> Rule:
    """Who may write a kind of row: diagnoses need a licence to diagnose (access.MAY_DIAGNOSIS_RECORD)."""
    return access.MAY_DIAGNOSIS_RECORD if kind == "diagnosis" else access.MAY_PATIENT_RECORD


def current(medications: list[Medication], today: date) -> list[Medication]:
    """The medications taken now: not stopped by today, not entered in error."""
    return [m for m in medications if not m.entered_in_error and (m.stopped_on is None or m.stopped_on > today)]


async def interaction_flags(patient_id: int, today: date) -> list[interactions.Flag]:
    """The interaction flags of a patient's current medications (the chart, the pre-dose checklist, the record)."""
    return interactions.flags(current(await Medication.filter(patient_id=patient_id).order_by("id"), today))


async def _load(actor: Actor, patient: Patient, got: dict[str, Any] | None = None, **extra: Any) -> Essentials:
    """The essentials: read together in one statement, or `got` from the chart's batch (see `wants`)."""
    if got is None:
        meds, allergies, diagnoses, profile = await reads.ESSENTIALS.run(patient_id=patient.id)
    else:
        meds, allergies, diagnoses, profile = (
            got[name] for name in ("medications", "allergies", "diagnoses", "profile")
        )
    return Essentials(
        patient=patient,
        medications=sorted(meds, key=lambda m: m not in current(meds, actor.today)),
        allergies=allergies,
        diagnoses=diagnoses,
        profile=profile[0] if profile else None,
        flags=interactions.flags(current(meds, actor.today)),
        may_record=await access.can(actor.user, access.MAY_PATIENT_RECORD, patient),
        may_diagnose=await access.can(actor.user, access.MAY_DIAGNOSIS_RECORD, patient),
        today=actor.today,
        **extra,
    )


async def snapshot(actor: Actor, patient: Patient) -> Essentials:
    """The essentials for another document of the chart (the printed summary), which audits its own read."""
    return await _load(actor, patient)


async def _viewed(actor: Actor, patient: Patient, **extra: Any) -> Essentials:
    await audit.record_read(actor, VIEWED, object_type="patient", object_id=patient.id, patient_id=patient.id)
    return await _load(actor, patient, **extra)


async def page(actor: Actor, patient_id: int, edit: str = "") -> Essentials:
    """The essentials page; `edit` ("medication-12") opens that row's edit form for those who may write."""
    patient = await access.get_patient_for(actor, patient_id)
    kind, _, raw = edit.partition("-")
    editing = (kind, int(raw)) if kind in KINDS and raw.isdigit() and int(raw) < 2**31 else None
    return await _viewed(actor, patient, editing=editing)


async def chart_wants(actor: Actor, patient: Patient, _infusion: Any, batch: Batch) -> dict[str, int]:
    """The chart panel's reads, put in the chart's batch (server/panels.py)."""
    queries = {"medications": reads.MEDICATIONS, "allergies": reads.ALLERGIES, "diagnoses": reads.DIAGNOSES}
    wanted = {name: batch.want(query, patient_id=patient.id) for name, query in queries.items()}
    return wanted | {"profile": batch.want(reads.PROFILE, patient_id=patient.id)}


async def chart_panel(
    actor: Actor, patient: Patient, _infusion: Any = None, got: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The chart's panel: covered by the chart's own read event (the same room's records, on the chart)."""
    return {"e": await _load(actor, patient, got)}


async def infusion_panel(actor: Actor, patient: Patient, _infusion: Any = None) -> dict[str, Any] | None:
    """The infusion page's interaction flags, if any (covered by `infusion.viewed`)."""
    flags = await interaction_flags(patient.id, actor.today)
    return {"flags": flags, "patient": patient} if flags else None


async def _refused(
    actor: Actor,
    patient: Patient,
    errors: dict[str, str],
    kind: str,
    values: dict[str, Any],
    editing: tuple[str, int] | None = None,
    status: int = 400,
) -> Invalid:
    shown = await _viewed(actor, patient, editing=editing, failed=kind, values=values)
    return Invalid(errors, page=shown, status=status)


async def add(
    actor: Actor,
    patient_id: int,
    kind: str,
    key: str,
    columns: dict[str, Any] | None,
    errors: dict[str, str],
    values: dict[str, Any],
) -> Model:
    """Add a medication, allergy or diagnosis to a patient's chart; a repeat of the same form returns its row."""
    model = KINDS[kind]
    patient = await access.get_patient_for(actor, patient_id, write=_rule(kind))
    if (first := await once.repeat(actor, key, kind)) is not None:
        return await model.get(id=first)
    if columns is None:
        raise await _refused(actor, patient, errors, kind, values)

    async def make() -> Any:
        stamp: dict[str, Any] = {
            "created_at": actor.now,
            "created_by_id": actor.user_id,
            "updated_at": actor.now,
            "updated_by_id": actor.user_id,
        }
        row = await model.create(clinic_id=patient.clinic_id, patient_id=patient.id, **columns, **stamp)
        if kind == "allergy":  # an allergy on record ends "no known allergies"
            await ChartProfile.filter(patient_id=patient.id, no_known_allergies=True).update(
                no_known_allergies=False, version=F("version") + 1
            )
        detail = {"kind": kind} | ({"code": columns["code"]} if kind == "diagnosis" else {})
        await audit.record(actor, ADDED, object_type=kind, object_id=row.pk, patient_id=patient.id, detail=detail)
        return row

    row: Model = await once.create(actor, key, kind, make, lambda pk: model.get(id=pk))
    return row


async def change(
    actor: Actor,
    kind: str,
    row_id: int,
    version: int | None,
    columns: dict[str, Any] | None,
    errors: dict[str, str],
    values: dict[str, Any],
) -> Model:
    """Change a row from the version its form showed; 409 (with the row as it is now) when it changed meanwhile."""
    model = KINDS[kind]
    row = await model.get_or_none(id=row_id, clinic_id=actor.clinic_id)
    if row is None:
        raise NotFound(kind)
    patient = await access.get_patient_for(actor, row.patient_id, write=_rule(kind))  # type: ignore[attr-defined]
    if columns is None:
        raise await _refused(actor, patient, errors, kind, values, (kind, row_id))
    changed = sorted(k for k, v in columns.items() if getattr(row, k) != v)
    async with in_transaction():
        stamp = {"updated_at": actor.now, "updated_by_id": actor.user_id, "version": (version or 0) + 1}
        if not await model.filter(id=row_id, version=version or 0).update(**columns, **stamp):
            raise await _conflict(actor, patient, kind, row_id, values)
        detail = {"kind": kind, "changed": changed}
        await audit.record(actor, CHANGED, object_type=kind, object_id=row_id, patient_id=patient.id, detail=detail)
    return row


async def _conflict(actor: Actor, patient: Patient, kind: str, row_id: int, values: dict[str, Any]) -> Invalid:
    async with in_transaction():
        await audit.record(
            actor, SAVE_CONFLICT, outcome="refused", object_type=kind, object_id=row_id, patient_id=patient.id
        )
    with audit.shown_again():
        shown = await _load(actor, patient, editing=(kind, row_id), failed=kind, values=values)
    return Invalid({"form": STALE}, page=shown, status=409)


async def _save_profile(
    actor: Actor,
    patient: Patient,
    version: int | None,
    columns: dict[str, Any],
    values: dict[str, Any],
    form: str,
    audited: Callable[[list[str]], Awaitable[None]],
) -> None:
    """Save the patient's one profile row from `version` (0: none yet); 409 when someone saved it meanwhile."""
    before = await ChartProfile.get_or_none(patient_id=patient.id)
    try:
        async with in_transaction():
            await one_row.save(ChartProfile, actor, patient, version, columns)
            await audited(one_row.changed(before, columns))
    except one_row.Stale:
        raise await _conflict(actor, patient, form, patient.id, values) from None


async def save_contacts(
    actor: Actor,
    patient_id: int,
    version: int | None,
    columns: dict[str, Any] | None,
    errors: dict[str, str],
    values: dict[str, Any],
) -> Patient:
    """The emergency contact, escort and referring prescriber, saved from the version the form showed."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    if columns is None:
        raise await _refused(actor, patient, errors, "contacts", values)

    async def audited(changed: list[str]) -> None:
        await audit.record(
            actor,
            CONTACTS_CHANGED,
            object_type="patient",
            object_id=patient.id,
            patient_id=patient.id,
            detail={"changed": changed},
        )

    await _save_profile(actor, patient, version, columns, values, "contacts", audited)
    return patient


async def no_known_allergies(actor: Actor, patient_id: int, version: int | None) -> Patient:
    """Record "no known allergies" (refused while an allergy is on record: mark it as no longer applying first)."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    if await Allergy.filter(patient_id=patient.id, active=True).exists():
        message = "An allergy is on record: mark it as no longer applying before recording “no known allergies”."
        raise await _refused(actor, patient, {"no_known_allergies": message}, "nka", {})
    columns = {
        "no_known_allergies": True,
        "allergies_reviewed_at": actor.now,
        "allergies_reviewed_by_id": actor.user_id,
    }

    async def audited(_changed: list[str]) -> None:
        await audit.record(
            actor, NO_KNOWN_ALLERGIES, object_type="patient", object_id=patient.id, patient_id=patient.id
        )

    await _save_profile(actor, patient, version, columns, {}, "nka", audited)
    return patient
