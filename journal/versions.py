"""An entry's versions: one per sitting, with its scales and answers; what changed between two; restoring one.

A **sitting** is one load of the editor page (the page carries a random `sitting` key) for as long as its saves
come within SITTING_GAP of each other. Every save of a sitting updates that sitting's version, so an hour of
autosaves is one version, not two hundred; a save from another page load, one after a longer pause, or one after
another window saved, starts a new version. A version whose sitting is over is never changed again, and restoring
an old version appends a new one: history is never rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from care.access import own_patient
from journal import access, safety
from journal.alerts import alert_if_needed
from journal.diff import Change, changes
from journal.models import JournalEntry, JournalRevision
from server import audit
from server.actor import Actor
from server.errors import NotFound

SITTING_GAP = timedelta(minutes=30)  # a pause this long, even in the same open tab, starts a new version
CONTENT = ("title", "body", "answers", "mood", "anxiety", "energy", "sleep", "mood5", "tags", "sleep_hours")


def content(row: JournalEntry | JournalRevision) -> dict[str, Any]:
    """What a version holds: the words, the answers and every scale."""
    return {name: getattr(row, name) for name in CONTENT}


async def record(entry: JournalEntry, sitting: str, now: datetime, restored_from: int | None = None) -> None:
    """The version for a save the entry just took: its sitting's version, updated, or a new one."""
    latest = await JournalRevision.filter(entry_id=entry.id).order_by("-version").first()
    same_sitting = sitting and latest and latest.sitting == sitting and now - latest.saved_at <= SITTING_GAP
    if same_sitting and restored_from is None:
        await JournalRevision.filter(id=latest.id).update(version=entry.version, saved_at=now, **content(entry))  # type: ignore[union-attr]
        return
    await JournalRevision.create(
        entry_id=entry.id,
        version=entry.version,
        sitting=sitting,
        restored_from=restored_from,
        saved_at=now,
        **content(entry),
    )


@dataclass
class Version:
    number: int  # 1, 2, 3 … in the order they were written
    revision: JournalRevision

    @property
    def content(self) -> dict[str, Any]:
        return content(self.revision)


async def count(entry: JournalEntry) -> int:
    return await JournalRevision.filter(entry_id=entry.id).count()


async def _numbered(entry: JournalEntry) -> list[Version]:
    rows = await JournalRevision.filter(entry_id=entry.id).order_by("version")
    return [Version(n, r) for n, r in enumerate(rows, start=1)]


async def history(actor: Actor, entry_id: int) -> tuple[JournalEntry, list[Version]]:
    """The entry and its versions, newest first (audited as a read of the entry)."""
    entry = await access.get_own_entry(actor, entry_id)
    found = await _numbered(entry)
    await _audit_read(actor, entry, {"history": True})
    return entry, found[::-1]


@dataclass
class Shown:
    entry: JournalEntry
    version: Version
    previous: Version | None
    changes: list[Change]
    current: bool  # this version is what the entry holds now (nothing to restore)
    questions: dict[str, str]


def questions(entry: JournalEntry, *contents: dict[str, Any]) -> dict[str, str]:
    """The entry's questions by answer key (and any other answer a version holds, as "Answer")."""
    asked = {p["key"]: p["question"] for p in entry.prompts}
    for c in contents:
        for key in c.get("answers") or {}:
            asked.setdefault(key, entry.prompt_text or "Answer")
    return asked


async def version(actor: Actor, entry_id: int, revision_id: int) -> Shown:
    """One version in full, with what changed since the one before it."""
    entry = await access.get_own_entry(actor, entry_id)
    found = await _numbered(entry)
    at = next((i for i, v in enumerate(found) if v.revision.id == revision_id), None)
    if at is None:
        raise NotFound("version")
    shown, previous = found[at], found[at - 1] if at else None
    asked = questions(entry, shown.content, previous.content if previous else {})
    diff = changes(previous.content, shown.content, asked) if previous else []
    await _audit_read(actor, entry, {"version": shown.number})
    return Shown(entry, shown, previous, diff, content(entry) == shown.content, asked)


async def restore(actor: Actor, entry_id: int, revision_id: int) -> JournalEntry:
    """Bring an older version back as a new version (history stays as it was; audited). Restoring what the entry
    already holds changes nothing, so a double click makes one new version."""
    entry = await access.get_own_entry(actor, entry_id)
    patient = await own_patient(actor)
    found = await _numbered(entry)
    chosen = next((v for v in found if v.revision.id == revision_id), None)
    if chosen is None:
        raise NotFound("version")
    async with in_transaction():
        # Locked (PostgreSQL; SQLite runs one writing transaction at a time), so a save landing meanwhile waits.
        fresh = await JournalEntry.select_for_update().get(id=entry.id)
        if content(fresh) == chosen.content:
            return fresh
        words = chosen.content
        crisis = bool(safety.matches(words["title"], *words["answers"].values(), words["body"]))
        search = "\n".join([words["title"], *words["answers"].values(), words["body"]]).casefold()
        await JournalEntry.filter(id=entry.id).update(
            version=fresh.version + 1, updated_at=actor.now, crisis_language=crisis, search_text=search, **words
        )
        fresh = await JournalEntry.get(id=entry.id)
        await record(fresh, "", actor.now, restored_from=chosen.number)
        detail = {"restored": chosen.number, "version": fresh.version}
        where = {"object_type": "journal_entry", "object_id": entry.id, "patient_id": patient.id}
        await audit.record(actor, access.VERSION_RESTORED, detail=detail, **where)
        await alert_if_needed(actor, patient, fresh)
    return fresh


async def _audit_read(actor: Actor, entry: JournalEntry, detail: dict[str, Any]) -> None:
    where = {"object_type": "journal_entry", "object_id": entry.id, "patient_id": entry.patient_id}
    await audit.record_read(actor, access.ENTRY_READ, detail=detail, **where)
