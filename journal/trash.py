"""Deleting an entry, with undo: it moves to "Recently deleted" for KEEP_FOR, can be put back until then, and is then
removed for good (with its versions) by `python -m server purge-journal` (run it daily from cron).

An entry in Recently deleted is out of the journal everywhere: the list and search, prompts, exports, and every
page the care team sees (shared panels, the note editor's pre-fill, the dashboard)."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from care.access import own_patient
from journal import access
from journal.models import JournalEntry, JournalRevision
from server import audit
from server.actor import Actor
from server.passwords import Passwords
from server.settings import Settings

KEEP_FOR = timedelta(days=30)


async def delete(actor: Actor, entry_id: int) -> JournalEntry:
    """Move an entry to Recently deleted (a repeat, as from a double click, changes and records nothing more)."""
    return await _move(actor, entry_id, deleted_at=actor.now, action=access.ENTRY_DELETED)


async def undelete(actor: Actor, entry_id: int) -> JournalEntry:
    """Put an entry back from Recently deleted (Undo; a repeat changes and records nothing more)."""
    return await _move(actor, entry_id, deleted_at=None, action=access.ENTRY_UNDELETED)


async def _move(actor: Actor, entry_id: int, deleted_at: datetime | None, action: str) -> JournalEntry:
    entry = await access.get_own_entry(actor, entry_id, deleted=True)
    async with in_transaction():
        rows = JournalEntry.filter(id=entry.id)
        rows = rows.filter(deleted_at=None) if deleted_at else rows.filter(deleted_at__not_isnull=True)
        if await rows.update(deleted_at=deleted_at):
            where = {"object_type": "journal_entry", "object_id": entry.id, "patient_id": entry.patient_id}
            await audit.record(actor, action, **where)
    return await access.get_own_entry(actor, entry_id, deleted=True)


def gone_on(entry: JournalEntry) -> datetime:
    """When an entry in Recently deleted will be removed for good."""
    assert entry.deleted_at is not None
    return entry.deleted_at + KEEP_FOR


async def recently_deleted(actor: Actor) -> list[JournalEntry]:
    """The patient's entries in Recently deleted, most recently deleted first (audited as a listing)."""
    patient = await own_patient(actor)
    rows = JournalEntry.filter(patient_id=patient.id, deleted_at__not_isnull=True)
    entries = await rows.select_related("infusion").order_by("-deleted_at")
    where = {"object_type": "journal", "patient_id": patient.id}
    await audit.record_read(actor, access.ENTRIES_LISTED, detail={"deleted": True, "count": len(entries)}, **where)
    return entries


async def just_deleted(actor: Actor, entry_id: int | None) -> JournalEntry | None:
    """The entry the patient has just deleted, for the Undo note on the journal page (None once it is back)."""
    if not entry_id:
        return None
    patient = await own_patient(actor)
    return await JournalEntry.get_or_none(id=entry_id, patient_id=patient.id, deleted_at__not_isnull=True)


async def purge(actor: Actor) -> int:
    """Remove for good every entry that has been in Recently deleted for KEEP_FOR, with its versions; each
    removal audited. Safe to run again at any time."""
    count = 0
    due = JournalEntry.filter(deleted_at__lte=actor.now - KEEP_FOR)
    for entry_id in await due.values_list("id", flat=True):
        async with in_transaction():
            # Looked at again, locked: one put back since the list was read stays, with every version.
            entry = await due.filter(id=entry_id).select_for_update().first()
            if entry is None:
                continue
            await JournalRevision.filter(entry_id=entry.id).delete()
            await JournalEntry.filter(id=entry.id).delete()
            await audit.record(
                actor,
                access.ENTRY_PURGED,
                object_type="journal_entry",
                object_id=entry.id,
                patient_id=entry.patient_id,
                clinic_id=entry.clinic_id,
            )
        count += 1
    return count


async def run_purge(settings: Settings, _args: argparse.Namespace) -> int:
    """`python -m server purge-journal`: remove entries deleted more than 30 days ago (cron-friendly)."""
    actor = Actor(user=None, now=settings.clock(), settings=settings, passwords=Passwords(settings), ip="cli")
    count = await purge(actor)
    print(f"{count} journal {'entry' if count == 1 else 'entries'} removed for good (in Recently deleted 30 days).")
    return 0
