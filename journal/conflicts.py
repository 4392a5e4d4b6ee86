"""Two windows on one entry: both texts are kept, automatically (as Day One does).

When a save names a version older than the entry's (another window saved in between), the later save's text becomes
the entry and the text it would have replaced moves into a **conflict copy**: a new private entry beside it, linked
both ways (`conflict_of` on the copy, `conflict_copies` on the entry). The copy remembers the sitting that wrote the
moved text, so that window's later saves go on into the copy instead of splitting the entry again and again. Nothing
is ever refused, and no word is lost: both texts also stay in the entry's version history.
"""

from __future__ import annotations

import secrets

from care.models import Patient
from journal import access, versions
from journal.models import JournalEntry, JournalRevision
from server import audit
from server.actor import Actor


async def route(entry: JournalEntry, sitting: str) -> JournalEntry:
    """Where a save from editor sitting `sitting` goes: into the conflict copy that holds this window's text, when
    an earlier split moved it there; otherwise into the entry."""
    if not sitting:
        return entry
    copy = await JournalEntry.get_or_none(conflict_of_id=entry.id, conflict_sitting=sitting, deleted_at=None)
    return copy or entry


async def split(actor: Actor, patient: Patient, entry: JournalEntry, sitting: str, sent: int) -> JournalEntry:
    """Keep the entry's current text (the other window's) in a new conflict copy, with the version it had; the
    caller then writes the later save (from editor sitting `sitting`, started from version `sent`) onto the entry."""
    latest = await JournalRevision.filter(entry_id=entry.id).order_by("-version").first()
    moved = latest.sitting if latest else ""
    # The same window's own older save arriving late (a retry overtaken by a newer save) keeps going to the entry.
    follows = "" if moved == sitting else moved
    copy = await JournalEntry.create(
        clinic_id=entry.clinic_id,
        patient_id=entry.patient_id,
        infusion_id=entry.infusion_id,
        kind=entry.kind,
        draft_key=secrets.token_urlsafe(24),
        prompts=entry.prompts,
        prompt_ref=entry.prompt_ref,
        prompt_text=entry.prompt_text,
        search_text=entry.search_text,
        crisis_language=entry.crisis_language,
        shared=False,  # a copy starts private: the care team is not shown the same words twice
        version=entry.version,
        created_at=actor.now,
        updated_at=actor.now,
        conflict_of_id=entry.id,
        conflict_sitting=follows,
        **versions.content(entry),
    )
    await JournalRevision.create(
        entry_id=copy.id, version=copy.version, sitting=follows, saved_at=actor.now, **versions.content(entry)
    )
    await audit.record(
        actor,
        access.ENTRY_CONFLICT,
        object_type="journal_entry",
        object_id=copy.id,
        patient_id=patient.id,
        detail={"copy_of": entry.id, "version": entry.version, "sent": sent},
    )
    return copy
