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
from server.models import Role
from server.policy import can

FINAL = (Status.SIGNED, Status.COSIGNED)


async def notes_panel(actor: Actor, patient: Patient | None, infusion: Infusion | None) -> dict[str, Any] | None:
    """Notes on the chart or an infusion page: signed ones for the care team, plus the viewer's own drafts."""
    if (
        patient is None
        or actor.role not in {Role.THERAPIST, Role.SUPERVISOR}
        or not await can(actor.user, MAY_PATIENT_VIEW, patient)
    ):
        return None
    rows = IntegrationNote.filter(patient_id=patient.id)
    if infusion is not None:
        rows = rows.filter(infusion_id=infusion.id)
    notes = [
        n
        for n in await rows.select_related("author", "infusion").order_by("-created_at")
        if n.status != Status.DRAFT or n.author_id == actor.user_id
    ]
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


async def summaries(actor: Actor, patient: Patient) -> dict[str, Any] | None:
    """OpenNotes: the shared summary of each final note, on the patient's journal home. Nothing else of the note."""
    notes = await _SUMMARIES.all(patient_id=patient.id)
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
