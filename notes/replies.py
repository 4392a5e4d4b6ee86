"""Replies to shared entries: a care-team therapist answers an entry the patient shared with a short, signed reply.
Not a chat and no promise of a quick answer: the patient's pages say the team reads shared entries when they next
check. The patient sees the reply under the entry and on their journal home, and gets an email that says only that
there is a reply (never its words). Replies are part of the record and sit beside the entries they answer in the
next note's pre-fill."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from care import access as care_access
from care.models import Patient
from journal import shared as journal_shared
from journal.models import JournalEntry
from notes.reply_models import EntryReply
from server import audit, compiled, once, outbox
from server.actor import Actor
from server.compiled_together import Batch
from server.errors import Invalid, NotFound
from server.mail import Rendered
from server.models import Role, User
from server.settings import Settings

SENT = audit.define("reply.sent", "A care-team therapist replied to an entry the patient shared (detail: `entry`).")
READ = audit.define("reply.read", "A patient read the care team's replies to their shared entries (detail: `replies`).")
KIND = "entry_reply"
TOPIC = "replies"
MAX_WORDS = 1000  # characters: a short reply, not a letter
ROLE_NAMES: dict[Role, str] = {Role.THERAPIST: "therapist", Role.SUPERVISOR: "supervisor"}


@dataclass
class ReplyPage:
    entry: JournalEntry
    patient: Patient
    replies: list[EntryReply]
    may_reply: bool


async def get_shared_entry_for(actor: Actor, entry_id: int, *, write: bool = False) -> tuple[JournalEntry, Patient]:
    """A shared entry of a patient the actor may see (NotFound for strangers and for private entries)."""
    entry = await JournalEntry.get_or_none(id=entry_id, shared=True).select_related("infusion")
    if entry is None or actor.role == Role.PATIENT:
        raise NotFound("entry")
    patient = await care_access.get_patient_for(actor, entry.patient_id, write=write)
    return entry, patient


async def _page(actor: Actor, entry: JournalEntry, patient: Patient) -> ReplyPage:
    replies = await EntryReply.filter(entry_id=entry.id).order_by("signed_at")
    may = await care_access.can(actor.user, care_access.MAY_PATIENT_RECORD, patient)
    return ReplyPage(entry, patient, replies, may)


async def reply_page(actor: Actor, entry_id: int) -> ReplyPage:
    """The shared entry with its replies and the form: one read of the entry (`journal.shared_viewed`)."""
    entry, patient = await get_shared_entry_for(actor, entry_id)
    await journal_shared.record_shown(actor, patient.id, [entry])
    return await _page(actor, entry, patient)


async def send(actor: Actor, entry_id: int, key: str, body: str) -> EntryReply:
    """Sign and send a reply; a repeat of the same form returns the first reply."""
    entry, patient = await get_shared_entry_for(actor, entry_id, write=True)
    if (first := await once.repeat(actor, key, "reply")) is not None:
        return await EntryReply.get(id=first)
    body = body.strip()
    if not body or len(body) > MAX_WORDS:
        message = "Write your reply." if not body else f"Keep a reply to {MAX_WORDS} characters (it is not a letter)."
        await journal_shared.record_shown(actor, patient.id, [entry])
        raise Invalid({"body": message}, page=await _page(actor, entry, patient))

    async def make() -> EntryReply:
        name = actor.user.name if actor.user else ""
        signed_as = f"{name}, {ROLE_NAMES.get(Role(str(actor.role)), 'care team')}"
        reply = await EntryReply.create(
            clinic_id=patient.clinic_id,
            patient_id=patient.id,
            entry_id=entry.id,
            author_id=actor.user_id,
            signed_as=signed_as[:160],
            body=body,
            signed_at=actor.now,
        )
        await audit.record(
            actor,
            SENT,
            object_type="entry_reply",
            object_id=reply.id,
            patient_id=patient.id,
            detail={"entry": entry.id},
        )
        user = await User.get(id=patient.user_id)
        await outbox.enqueue(
            actor.now,
            KIND,
            user.email,
            {"reply": reply.id},
            user_id=user.id,
            clinic_id=patient.clinic_id,
            dedupe_key=f"reply:{reply.id}",
        )
        return reply

    return await once.create(actor, key, "reply", make, lambda pk: EntryReply.get(id=pk))


async def render(settings: Settings, payload: dict[str, Any]) -> Rendered | None:
    if not await EntryReply.exists(id=payload.get("reply", 0)):
        return None
    line = "Your care team has replied to something you shared. You can read it in Afterglow."
    return outbox.reminder(settings, "A reply from your care team in Afterglow", line)


_LATEST = compiled.query(
    lambda patient_id: EntryReply.filter(patient_id=patient_id).select_related("entry").order_by("-signed_at").limit(5)
)


async def _patients_replies(
    actor: Actor, patient: Patient, entry: JournalEntry | None, found: list[EntryReply] | None = None
) -> list[EntryReply]:
    if found is not None:
        replies = found
    else:
        rows = EntryReply.filter(patient_id=patient.id)
        rows = rows.filter(entry_id=entry.id) if entry is not None else rows
        replies = await rows.select_related("entry").order_by("-signed_at").limit(5 if entry is None else 50)
    if replies:
        where = {"object_type": "patient", "object_id": patient.id, "patient_id": patient.id}
        await audit.record_read(actor, READ, detail={"replies": [r.id for r in replies]}, **where)
    return list(replies)


async def home_wants(_actor: Actor, patient: Patient, batch: Batch) -> dict[str, int]:
    """The latest replies, put in the journal home's batch (server/panels.py)."""
    return {"replies": batch.want(_LATEST, patient_id=patient.id)}


async def home_panel(actor: Actor, patient: Patient, got: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The latest replies on the patient's journal home, each linking to its entry."""
    replies = await _patients_replies(actor, patient, None, got["replies"] if got is not None else None)
    return {"replies": replies} if replies else None


async def entry_panel(actor: Actor, patient: Patient, entry: JournalEntry) -> dict[str, Any] | None:
    """The replies under the patient's own entry."""
    if actor.role != Role.PATIENT or not entry.shared:
        return None
    replies = await _patients_replies(actor, patient, entry)
    return {"replies": list(reversed(replies))} if replies else None


async def for_entries(entries: list[JournalEntry]) -> dict[int, list[EntryReply]]:
    """The replies to these entries, for the note editor's pre-fill (a fact: the caller audits the entries shown)."""
    found: dict[int, list[EntryReply]] = {}
    for reply in await EntryReply.filter(entry_id__in=[e.id for e in entries]).order_by("signed_at"):
        found.setdefault(reply.entry_id, []).append(reply)
    return found
