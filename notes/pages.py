"""What the notes pages show: the editor beside its pre-fill, a note as read, and the page a refused action returns
to. Each function is the one service call of one handler."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, TypeVar

from notes import access, service
from notes.models import IntegrationNote
from notes.service import Conflict, NoteDraft, NoteView, Prefill, Saved
from server import audit
from server.actor import Actor
from server.errors import Invalid

T = TypeVar("T")


@dataclass
class Editor:
    """The editor's surroundings: the pre-fill beside it and the note being written (None before its first save)."""

    pre: Prefill
    note: IntegrationNote | None


@dataclass
class OpenNote:
    """A note as its page shows it: the editor for its author while it is a draft, the read view for everyone."""

    view: NoteView
    editor: Editor | None


async def new_note(actor: Actor, infusion_id: int, copy_previous: bool) -> tuple[Editor, dict[str, Any]]:
    """A fresh editor for an infusion, optionally starting from the plan and practices of the previous signed note."""
    pre = await service.prefill(actor, infusion_id)
    values: dict[str, Any] = {
        "format": "DAP",
        "kap_phase": "integration",
        "version": 0,
        "draft_key": secrets.token_urlsafe(24),
    }
    if copy_previous and pre.previous:  # the editor shows words of the previous note: a read of it
        values["s_plan"] = pre.previous.content.get("plan", "")
        values["practices"] = "\n".join(pre.previous.content.get("practices", []))
        where = {"object_type": "note", "object_id": pre.previous.id, "patient_id": pre.previous.patient_id}
        await audit.record_read(actor, access.NOTE_READ, detail={"copied": ["plan", "practices"]}, **where)
    return Editor(pre, None), values


async def open_note(actor: Actor, note_id: int) -> OpenNote:
    view = await service.read(actor, note_id)
    editor = Editor(await service.prefill(actor, view.note.infusion_id), view.note) if view.may_write else None
    return OpenNote(view, editor)


async def save(
    actor: Actor,
    infusion_id: int | None,
    note_id: int | None,
    draft: NoteDraft | None,
    errors: dict[str, str],
    *,
    with_page: bool,
) -> tuple[Saved, Editor | None]:
    """Save a draft (a new note on `infusion_id`, or the note `note_id`). A refused draft raises Invalid; with
    `with_page` (a plain form post, not autosave) it carries the editor to show again, and so does a conflict."""
    if note_id is not None:  # the note's own infusion; a lookup, not a read of the note (the save is audited)
        infusion_id = (await access.get_note_for(actor, note_id)).infusion_id
    assert infusion_id is not None
    try:
        if draft is None:
            raise Invalid(errors)
        saved = await service.save(actor, infusion_id, draft, note_id)
    except Invalid as exc:
        page = Editor(await service.prefill(actor, infusion_id), None) if with_page else None
        raise Invalid(exc.errors, page=page) from None
    if saved.conflict and with_page:  # the conflict is recorded (note.save_conflict): no reads on top of it
        with audit.shown_again():
            return saved, Editor(await service.prefill(actor, infusion_id), saved.note)
    return saved, None


async def _or_page(actor: Actor, note_id: int, work: Awaitable[T]) -> T:
    """Do `work`; when it is refused (Invalid) or loses a race (Conflict), attach the note's page to show again."""
    try:
        return await work
    except (Invalid, Conflict) as exc:
        # A refusal recorded in its own event (wrong password, stale version) names the note: no reads on top of it.
        with audit.shown_again() if exc.audited else nullcontext():
            exc.page = await open_note(actor, note_id)
        raise


async def sign(actor: Actor, note_id: int, version: int, password: str, code: str = "") -> IntegrationNote:
    return await _or_page(actor, note_id, service.sign(actor, note_id, version, password, code))


async def add_addendum(actor: Actor, note_id: int, key: str, body: str) -> object:
    return await _or_page(actor, note_id, service.add_addendum(actor, note_id, key, body))


async def cosign(actor: Actor, note_id: int, version: int, password: str, code: str = "") -> IntegrationNote:
    return await _or_page(actor, note_id, service.cosign(actor, note_id, version, password, code))


async def return_note(actor: Actor, note_id: int, comment: str) -> IntegrationNote:
    return await _or_page(actor, note_id, service.return_note(actor, note_id, comment))
