"""Printing a signed note: its sections, addenda and signature block, headed with the patient, and stating who
printed it and when. Each print is one audited read (`note.printed`) in place of `note.read`. The page's print
stylesheet makes the paper or the PDF (the browser's own "Save as PDF": headless Chromium in the tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notes import access
from notes.content import digest, kept_sections, text_fields
from notes.models import Addendum, IntegrationNote, Status
from server import audit
from server.actor import Actor
from server.errors import NotFound

PRINTED = audit.define("note.printed", "Someone printed (or saved as PDF) a signed note with its addenda.")
FINAL = (Status.SIGNED, Status.COSIGNED)


@dataclass
class NotePrint:
    note: IntegrationNote
    addenda: list[Addendum]
    sections: list[tuple[str, str]]
    kept: list[tuple[str, str]]
    printed_by: str
    printed_at: datetime
    hash_ok: bool


async def print_note(actor: Actor, note_id: int) -> NotePrint:
    """A signed note for print; drafts and notes awaiting co-signature are not printed (404)."""
    note = await access.get_note_for(actor, note_id)
    if note.status not in FINAL:
        raise NotFound("note")
    addenda = await Addendum.filter(note_id=note.id).select_related("author").order_by("signed_at")
    await audit.record_read(actor, PRINTED, object_type="note", object_id=note.id, patient_id=note.patient_id)
    name = actor.user.name if actor.user else ""
    sections = list(text_fields(note.format))
    kept = list(kept_sections(note.format, note.content))
    return NotePrint(note, list(addenda), sections, kept, name, actor.now, digest(note) == note.content_sha256)
