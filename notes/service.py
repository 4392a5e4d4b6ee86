"""Integration notes: pre-filled drafts with autosave, sign and lock with step-up, addenda, co-signature."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from care import access as care_access
from care import infusions as care_infusions
from care import risk as care_risk
from care.models import Infusion, MeasureResponse, RiskAlert
from journal import shared as journal_shared
from journal.models import JournalEntry
from notes import access, messages, replies
from notes.access import MAY_NOTE_ADDENDUM, MAY_NOTE_COSIGN, MAY_NOTE_WRITE
from notes.content import IDEATION, digest, missing_for_signature
from notes.diff import FieldChange, changes, readable
from notes.models import Addendum, Format, IntegrationNote, SignedVersion, Status
from notes.reply_models import EntryReply
from server import audit, once, step_up
from server.actor import Actor
from server.errors import Forbidden, Invalid, NotFound
from server.policy import can, require


@dataclass
class NoteDraft:
    draft_key: str
    version: int
    format: str = Format.DAP
    kap_phase: str = "integration"
    content: dict[str, Any] = field(default_factory=dict)
    shared_summary: str = ""
    # Text sections the form did not carry at all (as opposed to sent empty): a save keeps their stored words, so
    # a section set aside by a format switch is never dropped by a form that does not show it.
    omitted: frozenset[str] = frozenset()


@dataclass
class Saved:
    note: IntegrationNote
    created: bool = False
    conflict: bool = False


@dataclass
class Prefill:
    infusion: Infusion
    flags: list[str]
    phq9: list[MeasureResponse]
    gad7: list[MeasureResponse]
    alerts: list[RiskAlert]
    entries: list[JournalEntry]
    previous: IntegrationNote | None
    replies: dict[int, list[EntryReply]] = field(default_factory=dict)  # the care team's replies, by entry


async def prefill(actor: Actor, infusion_id: int) -> Prefill:
    """What sits beside the editor: the infusion, scores, open alerts, shared entries since the previous session."""
    infusion = await care_access.get_infusion_for(actor, infusion_id)
    patient_id = infusion.patient_id
    await audit.record_read(
        actor, care_access.INFUSION_VIEWED, object_type="infusion", object_id=infusion.id, patient_id=patient_id
    )
    earlier = (
        await Infusion.filter(patient_id=infusion.patient_id, scheduled_at__lt=infusion.scheduled_at)
        .order_by("-scheduled_at")
        .first()
    )
    since = earlier.started_at or earlier.scheduled_at if earlier else infusion.scheduled_at.replace(year=2000)
    entries = (
        await journal_shared.shared_entries([infusion.patient_id], written_since=since)
        .select_related("infusion")
        .order_by("-created_at")
    )
    # The intention written for this session's booking is always beside its note, whenever it was written.
    entries += [e for e in await journal_shared.shared_intentions(infusion.id) if e.id not in {x.id for x in entries}]
    measures = await MeasureResponse.filter(patient_id=infusion.patient_id, instrument__in=["PHQ9", "GAD7"]).order_by(
        "taken_at"
    )
    alerts = await RiskAlert.filter(patient_id=infusion.patient_id, acknowledged_at__isnull=True)
    await journal_shared.record_shown(actor, infusion.patient_id, entries)  # the editor quotes their words
    previous = (
        await IntegrationNote.filter(patient_id=infusion.patient_id, status__in=[Status.SIGNED, Status.COSIGNED])
        .order_by("-signed_at")
        .first()
    )
    return Prefill(
        infusion,
        await care_infusions.flags_of(infusion.id),
        [m for m in measures if m.instrument == "PHQ9"],
        [m for m in measures if m.instrument == "GAD7"],
        alerts,
        entries,
        previous,
        await replies.for_entries(entries),
    )


async def save(actor: Actor, infusion_id: int, draft: NoteDraft, note_id: int | None = None) -> Saved:
    """Save a draft with the journal's rules: keyed first save, then version-checked saves (409 on stale)."""
    try:
        return await _save(actor, infusion_id, draft, note_id)
    except IntegrityError:  # a concurrent first save of the same page made the note: this save goes against it
        return await _save(actor, infusion_id, draft, note_id)


async def _save(actor: Actor, infusion_id: int, draft: NoteDraft, note_id: int | None) -> Saved:
    infusion = await care_access.get_infusion_for(actor, infusion_id, write=True)
    async with in_transaction():
        if note_id is None:
            note = await IntegrationNote.get_or_none(author_id=actor.user_id, draft_key=draft.draft_key)
        else:
            note = await IntegrationNote.get_or_none(id=note_id, infusion_id=infusion.id)
            if note is None:
                raise NotFound("note")
        if note is None:
            note = await IntegrationNote.create(
                clinic_id=infusion.clinic_id,
                infusion=infusion,
                patient_id=infusion.patient_id,
                author=actor.user,
                draft_key=draft.draft_key,
                format=draft.format,
                kap_phase=draft.kap_phase,
                content=draft.content,
                shared_summary=draft.shared_summary,
                created_at=actor.now,
                updated_at=actor.now,
            )
            await _audit(actor, access.NOTE_CREATED, note)
            return Saved(note, created=True)
        if not await can(actor.user, MAY_NOTE_WRITE, note):
            raise Forbidden("note.write")
        content = {**{k: v for k, v in note.content.items() if k in draft.omitted}, **draft.content}
        same = (str(note.format), note.kap_phase, note.content, note.shared_summary)
        if same == (draft.format, draft.kap_phase, content, draft.shared_summary):
            return Saved(note)  # nothing changed (e.g. a focus change): no new version, so a pending signature holds
        changed = await IntegrationNote.filter(id=note.id, version=draft.version, status__in=access.WRITABLE).update(
            version=draft.version + 1,
            updated_at=actor.now,
            format=draft.format,
            kap_phase=draft.kap_phase,
            content=content,
            shared_summary=draft.shared_summary,
        )
        if not changed:
            await _audit(actor, access.NOTE_CONFLICT, note, outcome="denied", detail={"sent": draft.version})
            return Saved(note, conflict=True)
        detail = {"version": draft.version + 1, "changed": _changed(note, draft, content)}
        await _audit(actor, access.NOTE_SAVED, note, detail=detail)
    return Saved(await IntegrationNote.get(id=note.id))


def _changed(note: IntegrationNote, draft: NoteDraft, content: dict[str, Any]) -> list[str]:
    """The names (never the words) of what a save changed: sections, risk, practices, format, phase, summary."""
    keys = set(note.content) | set(content)
    names = {k for k in keys if note.content.get(k) != content.get(k)}
    if str(note.format) != draft.format:
        names.add("format")
    if note.kap_phase != draft.kap_phase:
        names.add("kap_phase")
    if note.shared_summary != draft.shared_summary:
        names.add("shared_summary")
    return sorted(names)


async def _audit(actor: Actor, action: str, note: IntegrationNote, **extra: Any) -> None:
    await audit.record(actor, action, object_type="note", object_id=note.id, patient_id=note.patient_id, **extra)


@dataclass
class Review:
    """What a supervisor about to co-sign sees: each field's changes since `since`, the latest version of this note
    they returned or co-signed (None if there is none: then the whole note is shown as new)."""

    since: SignedVersion | None
    fields: list[FieldChange]


@dataclass
class NoteView:
    note: IntegrationNote
    addenda: list[Addendum]
    versions: list[SignedVersion]
    may_write: bool
    may_cosign: bool
    may_add: bool
    hash_ok: bool
    review: Review | None = None
    cosigners: list[str] | None = None  # awaiting co-signature: whose ([] unassigned); None otherwise


async def read(actor: Actor, note_id: int) -> NoteView:
    note = await access.get_note_for(actor, note_id)
    addenda = await Addendum.filter(note_id=note.id).select_related("author").order_by("signed_at")
    versions = await SignedVersion.filter(note_id=note.id).order_by("-version", "-id")
    await audit.record_read(actor, access.NOTE_READ, object_type="note", object_id=note.id, patient_id=note.patient_id)
    signed = note.status not in access.WRITABLE or note.signed_at is not None
    may_cosign = note.status == Status.COSIGN_PENDING and await can(actor.user, MAY_NOTE_COSIGN, note)
    return NoteView(
        note,
        addenda,
        versions,
        may_write=await can(actor.user, MAY_NOTE_WRITE, note),
        may_cosign=may_cosign,
        may_add=await can(actor.user, MAY_NOTE_ADDENDUM, note),
        hash_ok=not signed or note.status == Status.RETURNED or digest(note) == note.content_sha256,
        review=_review(actor, note, versions) if may_cosign else None,
        cosigners=await access.cosigners(note) if note.status == Status.COSIGN_PENDING else None,
    )


def _review(actor: Actor, note: IntegrationNote, versions: list[SignedVersion]) -> Review:
    seen = next((v for v in versions if v.outcome and v.outcome_by_id == actor.user_id), None)
    before = readable(seen.content, seen.shared_summary) if seen else None
    return Review(seen, changes(before, readable(note.content, note.shared_summary, note.format)))


async def _step_up(actor: Actor, password: step_up.Proof | str, note: IntegrationNote, failed_action: str) -> None:
    """Step-up re-authentication: re-enter the password (and, with an authenticator app, a current code) or use a
    passkey to sign or co-sign; a wrong one is audited and refused."""
    check = await step_up.verify(actor, password)
    if not check:
        async with in_transaction():
            await _audit(actor, failed_action, note, outcome="denied", **check.refusal_detail)
        raise Invalid(check.errors("That password is wrong. Re-enter the password you sign in with."), audited=True)


async def sign(actor: Actor, note_id: int, version: int, password: step_up.Proof | str) -> IntegrationNote:
    """Sign and lock. Exactly one of a signature and a concurrent edit of the same version wins; the other gets 409."""
    note = await access.get_note_for(actor, note_id)
    await require(actor.user, MAY_NOTE_WRITE, note)
    if note.version != version:
        async with in_transaction():
            await _audit(actor, access.NOTE_CONFLICT, note, outcome="denied", detail={"sent": version, "sign": True})
        raise Conflict(audited=True)
    await _step_up(actor, password, note, access.NOTE_STEP_UP_FAILED)
    open_alert = await RiskAlert.filter(patient_id=note.patient_id, acknowledged_at__isnull=True).exists()
    problems = missing_for_signature(note.format, note.content, risk_required=open_alert)
    began = note.infusion.started_at or note.infusion.scheduled_at
    if began > actor.now:  # a note documents a session that has happened: never signed before it began
        shown = began.astimezone(ZoneInfo(actor.tz)).strftime("%-d %b %Y, %H:%M")
        problems["form"] = f"This session has not begun yet (it is booked for {shown}): sign the note after it."
    if problems:
        raise Invalid(problems)
    trainee = bool(actor.user and actor.user.is_trainee)
    status = Status.COSIGN_PENDING if trainee else Status.SIGNED
    async with in_transaction():
        fresh = await _lock(actor, note, version, status)
        if fresh is None:  # a save or a signature landed first: recorded here, where no exception rolls it back
            await _audit(actor, access.NOTE_CONFLICT, note, outcome="denied", detail={"sent": version, "sign": True})
    if fresh is None:
        raise Conflict(audited=True)
    return fresh


async def _lock(actor: Actor, note: IntegrationNote, version: int, status: Status) -> IntegrationNote | None:
    """Sign and lock `version` of the note inside the caller's transaction; None when it is no longer that version."""
    sha = digest(note)  # over the content as read; the update below only lands if nothing changed since
    changed = await IntegrationNote.filter(id=note.id, version=version, status__in=access.WRITABLE).update(
        status=status, signed_at=actor.now, signed_by=actor.user, content_sha256=sha, return_comment=""
    )
    if not changed:
        return None
    fresh = await IntegrationNote.get(id=note.id)
    if digest(fresh) != sha:  # the content changed under us between read and update
        raise Conflict()
    await SignedVersion.create(
        note=note,
        version=version,
        content=fresh.content,
        shared_summary=fresh.shared_summary,
        signed_at=actor.now,
        signed_by_id=actor.user_id,
        content_sha256=sha,
    )
    await _audit(actor, access.NOTE_SIGNED, fresh, detail={"version": version, "sha256": sha, "status": status})
    if status == Status.SIGNED:
        await _release(actor, fresh)
    return fresh


class Conflict(Exception):
    """The note changed (or was signed) in another window. `page` is what to show instead (see notes/pages.py);
    `audited` says the conflict was recorded (note.save_conflict), so that page records no reads of its own."""

    page: Any = None

    def __init__(self, *, audited: bool = False) -> None:
        super().__init__()
        self.audited = audited


async def _release(actor: Actor, note: IntegrationNote) -> None:
    """A final note's practices become prompts in the patient's journal (its shared summary shows there too, and the
    patient is told by email that something was shared), and the open alerts its risk assessment addresses are
    closed as resolved by it."""
    practices = [p for p in note.content.get("practices", []) if str(p).strip()]
    patient = await note.patient
    await messages.summary_shared(actor, note, patient)
    if practices:
        await journal_shared.assign_prompts(actor, patient, practices, actor.now, await note.infusion)
    resolves = (note.content.get("risk") or {}).get("resolves_alerts") or []
    if resolves and (note.content.get("risk") or {}).get("ideation") in IDEATION:
        when = actor.now.astimezone(ZoneInfo(actor.tz)).strftime("%-d %b %Y")
        await care_risk.resolve_by_note(actor, patient, [int(i) for i in resolves], note.id, when)


async def add_addendum(actor: Actor, note_id: int, key: str, body: str) -> Addendum:
    """Sign an addendum under a signed note, once per form `key` (a double click adds one)."""
    note = await access.get_note_for(actor, note_id)
    await require(actor.user, MAY_NOTE_ADDENDUM, note)
    if (first := await once.repeat(actor, key, "addendum")) is not None:
        return await _addendum(first)
    if not body.strip() or len(body) > 10_000:
        raise Invalid({"body": "Write the addendum (up to 10,000 characters)."})
    return await once.create(actor, key, "addendum", partial(_insert_addendum, actor, note, body), _addendum)


async def _addendum(addendum_id: int) -> Addendum:
    return await Addendum.get(id=addendum_id)


async def _insert_addendum(actor: Actor, note: IntegrationNote, body: str) -> Addendum:
    sha = hashlib.sha256(f"{note.id}\n{actor.user_id}\n{actor.now.isoformat()}\n{body}".encode()).hexdigest()
    async with in_transaction():
        addendum = await Addendum.create(
            note=note, author=actor.user, body=body, signed_at=actor.now, content_sha256=sha
        )
        await _audit(actor, access.ADDENDUM_ADDED, note, detail={"addendum_id": addendum.id})
    return addendum


async def cosign(actor: Actor, note_id: int, version: int, password: step_up.Proof | str) -> IntegrationNote:
    """Co-sign a trainee's note, with step-up as for signing. `version` is the one the supervisor was shown (and
    its changes): if the note moved on since (returned, revised, signed again), nothing is co-signed (409)."""
    note = await access.get_note_for(actor, note_id)
    if note.status != Status.COSIGN_PENDING:
        raise Conflict()
    await require(actor.user, MAY_NOTE_COSIGN, note)
    if note.version != version:
        async with in_transaction():
            await _audit(actor, access.NOTE_CONFLICT, note, outcome="denied", detail={"sent": version, "cosign": True})
        raise Conflict(audited=True)
    await _step_up(actor, password, note, access.NOTE_COSIGN_STEP_UP_FAILED)
    async with in_transaction():
        if not await IntegrationNote.filter(id=note.id, status=Status.COSIGN_PENDING, version=version).update(
            status=Status.COSIGNED, cosigned_at=actor.now, cosigned_by=actor.user
        ):
            raise Conflict()
        await SignedVersion.filter(note_id=note.id, version=note.version, outcome="").update(
            outcome="cosigned", outcome_by_id=actor.user_id
        )
        await _audit(actor, access.NOTE_COSIGNED, note)
        fresh = await IntegrationNote.get(id=note.id)
        await _release(actor, fresh)
    return fresh


async def return_note(actor: Actor, note_id: int, comment: str) -> IntegrationNote:
    note = await access.get_note_for(actor, note_id)
    if note.status != Status.COSIGN_PENDING:
        raise Conflict()
    await require(actor.user, MAY_NOTE_COSIGN, note)
    if not comment.strip() or len(comment) > 2000:
        raise Invalid({"comment": "Say what to revise (up to 2,000 characters)."})
    async with in_transaction():
        if not await IntegrationNote.filter(id=note.id, status=Status.COSIGN_PENDING).update(
            status=Status.RETURNED, return_comment=comment
        ):
            raise Conflict()
        await SignedVersion.filter(note_id=note.id, version=note.version, outcome="").update(
            outcome="returned", outcome_comment=comment, outcome_by_id=actor.user_id
        )
        await _audit(actor, access.NOTE_RETURNED, note)
    return await IntegrationNote.get(id=note.id)


async def verify_signed(note: IntegrationNote) -> bool:
    """Does a signed note's row still match the hash taken when it was signed?"""
    return note.status in access.WRITABLE or digest(note) == note.content_sha256
