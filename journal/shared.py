"""What the journal shares with the care team's rooms: entries a patient shared (the chart's panel, and as plain facts
for the notes room's pre-fill and dashboard), and practice prompts the care team assigns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from care.access import MAY_PATIENT_VIEW
from care.calendar_models import Booking
from care.models import Infusion, Patient
from journal import access
from journal.access import MAY_JOURNAL_READ_SHARED
from journal.models import JournalEntry, Prompt
from server import audit, compiled
from server.actor import Actor
from server.compiled_together import Batch
from server.errors import NotFound
from server.policy import can

PANEL_SIZE = 20


async def assign_prompts(
    actor: Actor, patient: Patient, texts: list[str], due_at: Any, infusion: Infusion | None = None
) -> list[Prompt]:
    """Practice prompts from the care team (the notes room calls this when a note is signed or co-signed); they
    appear on the patient's journal home. The caller has already decided the note may be released."""
    if not await can(actor.user, MAY_PATIENT_VIEW, patient) or actor.role == "patient":
        raise NotFound("patient")
    async with in_transaction():
        prompts = [
            await Prompt.create(
                clinic_id=patient.clinic_id,
                patient=patient,
                infusion=infusion,
                due_at=due_at,
                text=text[:500],
                source="practice",
                created_at=actor.now,
                created_by_id=actor.user_id,
            )
            for text in texts
            if text.strip()
        ]
        await audit.record(
            actor,
            access.PROMPTS_ASSIGNED,
            object_type="patient",
            object_id=patient.id,
            patient_id=patient.id,
            detail={"count": len(prompts)},
        )
    return prompts


def shared_entries(
    patient_ids: list[int] | Subquery, *, shared_after: datetime | None = None, written_since: datetime | None = None
) -> QuerySet[JournalEntry]:
    """Entries the patients shared and have not deleted (after `shared_after`, or written since `written_since`), as
    a fact for another room's page: no permission check and no audit here. The caller has checked who may see these
    patients and audits what its page shows."""
    rows = JournalEntry.filter(patient_id__in=patient_ids, shared=True, deleted_at=None)
    if shared_after:
        rows = rows.filter(shared_at__gt=shared_after)
    return rows.filter(created_at__gte=written_since) if written_since else rows


async def shared_intentions(infusion_id: int) -> list[JournalEntry]:
    """The shared intention written for the booked session this infusion completed, as a fact for another room's
    page (no permission check, no audit: the caller's page does both)."""
    booked = await Booking.filter(infusion_id=infusion_id).values_list("id", flat=True)
    if not booked:
        return []
    rows = JournalEntry.filter(prompt_ref__in=[f"intention:{b}" for b in booked], shared=True, deleted_at=None)
    return await rows.select_related("infusion")


# An infusion's shared entries: those written for the session, and the intention answering "intention:<booking id>"
# of the booking it completed (the booking's refs a subquery, not a statement of their own).
_SESSION_SHARED = compiled.query(
    lambda patient_id, infusion_id: (
        JournalEntry.filter(patient_id=patient_id, shared=True, deleted_at=None)
        .filter(
            Q(infusion_id=infusion_id)
            | Q(
                prompt_ref__in=Subquery(
                    Booking.filter(infusion_id=infusion_id)
                    .annotate(ref=compiled.text("intention:", compiled.column(Booking, "id")))
                    .values("ref")
                )
            )
        )
        .select_related("infusion")
        .order_by("-shared_at")
        .limit(PANEL_SIZE)
    )
)

_SHARED = compiled.query(
    lambda patient_id: (
        JournalEntry.filter(patient_id=patient_id, shared=True, deleted_at=None)
        .select_related("infusion")
        .order_by("-shared_at")
        .limit(PANEL_SIZE)
    )
)


async def shared_wants(
    actor: Actor, patient: Patient | None, infusion: Infusion | None, batch: Batch
) -> dict[str, int] | None:
    """The chart's shared entries, put in the chart's batch (server/panels.py); an infusion page reads its own."""
    if patient is None or infusion is not None or not await can(actor.user, MAY_JOURNAL_READ_SHARED, patient):
        return None
    return {"entries": batch.want(_SHARED, patient_id=patient.id)}


async def shared_panel(
    actor: Actor, patient: Patient | None, infusion: Infusion | None, got: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """Shared entries for the chart (all) or an infusion page (that session's), audited; private and deleted ones
    never."""
    if patient is None or not await can(actor.user, MAY_JOURNAL_READ_SHARED, patient):
        return None
    if got is not None:
        await record_shown(actor, patient.id, got["entries"])
        return {"entries": got["entries"], "infusion": infusion}
    rows = JournalEntry.filter(patient_id=patient.id, shared=True, deleted_at=None)
    if infusion is not None:  # the session's entries, and the intention written for the booking it completed
        entries = await _SESSION_SHARED.all(patient_id=patient.id, infusion_id=infusion.id)
        await record_shown(actor, patient.id, entries)
        return {"entries": entries, "infusion": infusion}
    entries = await rows.select_related("infusion").order_by("-shared_at").limit(PANEL_SIZE)
    await record_shown(actor, patient.id, entries)
    return {"entries": entries, "infusion": infusion}


async def record_shown(actor: Actor, patient_id: int, entries: list[JournalEntry]) -> None:
    """One read event naming every shared entry a page shows (the chart's or an infusion's panel, the note editor's
    pre-fill); a page that shows none records nothing."""
    if entries:
        where = {"object_type": "patient", "object_id": patient_id, "patient_id": patient_id}
        await audit.record_read(actor, access.SHARED_VIEWED, detail={"entries": [e.id for e in entries]}, **where)
