"""What the notes room adds to other rooms' pages: notes on the chart and infusion, the therapist dashboard, and
the shared summaries on the patient's journal home."""

from __future__ import annotations

from typing import Any

from care.access import MAY_PATIENT_RECORD, MAY_PATIENT_VIEW
from care.models import Infusion, Patient
from notes import access
from notes.models import IntegrationNote, Status
from server import audit, compiled
from server.actor import Actor
from server.compiled_together import Batch
from server.models import Role
from server.policy import can

FINAL = (Status.SIGNED, Status.COSIGNED)


_CHART_NOTES = compiled.query(
    lambda patient_id: (
        IntegrationNote.filter(patient_id=patient_id).select_related("author", "infusion").order_by("-created_at")
    )
)
_SESSION_NOTES = compiled.query(
    lambda patient_id, infusion_id: (
        IntegrationNote.filter(patient_id=patient_id, infusion_id=infusion_id)
        .select_related("author", "infusion")
        .order_by("-created_at")
    )
)


async def _may_see(actor: Actor, patient: Patient | None) -> bool:
    return (
        patient is not None
        and actor.role in {Role.THERAPIST, Role.SUPERVISOR}
        and await can(actor.user, MAY_PATIENT_VIEW, patient)
    )


async def notes_wants(
    actor: Actor, patient: Patient | None, infusion: Infusion | None, batch: Batch
) -> dict[str, int] | None:
    """The chart's notes, put in the chart's batch (server/panels.py); an infusion page reads its own."""
    if patient is None or infusion is not None or not await _may_see(actor, patient):
        return None
    return {"notes": batch.want(_CHART_NOTES, patient_id=patient.id)}


async def notes_panel(
    actor: Actor, patient: Patient | None, infusion: Infusion | None, got: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """Notes on the chart or an infusion page: signed ones for the care team, plus the viewer's own drafts."""
    if patient is None or not await _may_see(actor, patient):
        return None
    if got is not None:
        rows = got["notes"]
    elif infusion is not None:
        rows = await _SESSION_NOTES.all(patient_id=patient.id, infusion_id=infusion.id)
    else:
        rows = await _CHART_NOTES.all(patient_id=patient.id)
    notes = [n for n in rows if n.status != Status.DRAFT or n.author_id == actor.user_id]
    may_write = infusion is not None and await can(actor.user, MAY_PATIENT_RECORD, patient)
    return {"notes": notes, "infusion": infusion, "may_write": may_write}


_SUMMARIES = compiled.query(
    lambda patient_id: (
        IntegrationNote.filter(patient_id=patient_id, status__in=FINAL)
        .exclude(shared_summary="")
        .select_related("infusion", "author")
        .order_by("-signed_at")
        .limit(10)
    )
)


async def summaries_wants(_actor: Actor, patient: Patient, batch: Batch) -> dict[str, int]:
    """The summaries, put in the journal home's batch (server/panels.py)."""
    return {"notes": batch.want(_SUMMARIES, patient_id=patient.id)}


async def summaries(actor: Actor, patient: Patient, got: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """OpenNotes: the shared summary of each final note, on the patient's journal home. Nothing else of the note."""
    notes = got["notes"] if got is not None else await _SUMMARIES.all(patient_id=patient.id)
    if notes:
        await audit.record_read(
            actor,
            access.SUMMARIES_READ,
            object_type="patient",
            object_id=patient.id,
            patient_id=patient.id,
            detail={"notes": [n.id for n in notes]},
        )
    return {"notes": notes} if notes else None
