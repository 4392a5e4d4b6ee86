"""Who may read, write, sign and co-sign notes, and who may ever open a process note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from care.access import MAY_PATIENT_RECORD, MAY_PATIENT_VIEW
from notes.models import IntegrationNote, ProcessNote, Status, Supervision
from server import audit
from server.actor import Actor
from server.errors import NotFound
from server.models import Role, User
from server.policy import Rule, can

NOTE_CREATED = audit.define("note.created", "A clinician started an integration note (first save).")
NOTE_SAVED = audit.define("note.saved", "A draft integration note was saved (autosave or submit).")
NOTE_CONFLICT = audit.define("note.save_conflict", "A save or signature from a stale window was refused (409).")
NOTE_READ = audit.define("note.read", "Someone opened an integration note.")
SUMMARIES_READ = audit.define(
    "note.summaries_read", "A patient read the shared summaries of their notes (journal home)."
)
NOTE_SIGNED = audit.define("note.signed", "The author signed and locked a note (after re-entering their password).")
NOTE_STEP_UP_FAILED = audit.define("note.step_up_failed", "A signature was refused: the password was wrong.")
NOTE_COSIGNED = audit.define(
    "note.cosigned", "A supervisor co-signed a trainee's note (after re-entering their password)."
)
NOTE_COSIGN_STEP_UP_FAILED = audit.define(
    "note.cosign_step_up_failed", "A co-signature was refused: the supervisor's password was wrong."
)
NOTE_RETURNED = audit.define("note.returned", "A supervisor returned a trainee's note for revision, with a comment.")
ADDENDUM_ADDED = audit.define("note.addendum_added", "An addendum was signed and added under a signed note.")
DASHBOARD_VIEWED = audit.define("dashboard.viewed", "A therapist opened their dashboard (sessions, notes due, alerts).")
PROCESS_LISTED = audit.define("process_note.listed", "A therapist listed their own process notes for a patient.")
PROCESS_CREATED = audit.define("process_note.created", "A therapist wrote a psychotherapy (process) note.")
PROCESS_OPENED = audit.define("process_note.opened", "A process note was opened (after re-entering a password).")
PROCESS_DENIED = audit.define("process_note.step_up_failed", "Opening a process note was refused: wrong password.")
SUPERVISION_LINKED = audit.define(
    "supervision.linked", "A supervisor or admin recorded that a supervisor supervises a trainee, from a date."
)
SUPERVISION_ENDED = audit.define("supervision.ended", "A supervisor or admin ended a supervision relationship.")

WRITABLE = (Status.DRAFT, Status.RETURNED)


async def _may_read(user: User, note: IntegrationNote) -> bool:
    if note.clinic_id != user.clinic_id or user.role not in {Role.THERAPIST, Role.SUPERVISOR}:
        return False
    if note.status == Status.DRAFT and note.author_id != user.id:
        return False
    # The same rule as the chart, for the author too: a therapist taken off the care team loses their notes with it.
    return await can(user, MAY_PATIENT_VIEW, await note.patient)


async def _may_write(user: User, note: IntegrationNote) -> bool:
    if note.author_id != user.id or note.status not in WRITABLE:
        return False
    return await can(user, MAY_PATIENT_RECORD, await note.patient)


async def _may_cosign(user: User, note: IntegrationNote) -> bool:
    if user.role != Role.SUPERVISOR or note.clinic_id != user.clinic_id or note.author_id == user.id:
        return False
    assigned = await supervisors_at(note.author_id, note.signed_at) if note.signed_at else set()
    return not assigned or user.id in assigned


def _may_add(user: User, note: IntegrationNote) -> bool:
    signed = note.status in {Status.SIGNED, Status.COSIGNED, Status.COSIGN_PENDING}
    return signed and note.clinic_id == user.clinic_id and (note.author_id == user.id or user.role == Role.SUPERVISOR)


def during(at: datetime) -> Q:
    """Supervision links running at `at`: begun, and not yet ended."""
    return Q(started_at__lte=at) & (Q(ended_at__isnull=True) | Q(ended_at__gt=at))


async def supervisors_at(author_id: int, at: datetime) -> set[int]:
    """The supervisors (still active supervisor accounts) whose link with `author_id` ran at `at`: a trainee's note
    signed then waits for them; none means any supervisor of the clinic may co-sign it ("unassigned")."""
    rows = Supervision.filter(during(at), supervisee_id=author_id, supervisor__role=Role.SUPERVISOR)
    return {link.supervisor_id for link in await rows.filter(supervisor__disabled_at__isnull=True)}


async def cosigners(note: IntegrationNote) -> list[str]:
    """The names of the supervisors a note awaiting co-signature waits for ([]: unassigned, any supervisor)."""
    if note.status != Status.COSIGN_PENDING or note.signed_at is None:
        return []
    rows = Supervision.filter(during(note.signed_at), supervisee_id=note.author_id, supervisor__role=Role.SUPERVISOR)
    found = await rows.filter(supervisor__disabled_at__isnull=True).select_related("supervisor")
    return sorted({link.supervisor.name for link in found})


async def supervises(user: User, author_id: int, at: datetime) -> bool:
    return await Supervision.filter(during(at), supervisor_id=user.id, supervisee_id=author_id).exists()


@dataclass(frozen=True)
class ProcessNoteNow:
    """A process note asked about at a moment (supervision links run from a date to a date)."""

    note: ProcessNote
    now: datetime


async def _may_read_process(user: User, asked: ProcessNoteNow) -> bool:
    note = asked.note
    if note.clinic_id != user.clinic_id:
        return False
    if note.author_id == user.id:
        return True
    return user.role == Role.SUPERVISOR and await supervises(user, note.author_id, asked.now)


MAY_NOTE_READ = Rule(
    "note.read",
    "Read integration notes: whoever may see the patient's chart (care-team therapists, clinic supervisors); drafts "
    "only their author, and an author taken off the care team no longer.",
    _may_read,
)

MAY_NOTE_WRITE = Rule(
    "note.write",
    "Write, edit and sign a note: its author, while it is a draft or returned, on their care team.",
    _may_write,
)

MAY_NOTE_COSIGN = Rule(
    "note.cosign",
    "Co-sign or return a trainee's note: a supervisor of the clinic who is not its author and who supervised the "
    "author when the note was signed; any such supervisor when no supervision link ran then (unassigned).",
    _may_cosign,
)

MAY_NOTE_ADDENDUM = Rule(
    "note.addendum",
    "Add an addendum to a signed note: its author, or a supervisor of the clinic.",
    _may_add,
)

MAY_SUPERVISION_MANAGE = Rule(
    "supervision.manage",
    "See, record and end who supervises which trainee (names, roles and dates only): supervisors and admins of the "
    "clinic.",
    lambda user, _obj: user.role in {Role.SUPERVISOR, Role.ADMIN},
)

MAY_PROCESS_NOTE_READ = Rule(
    "process_note.read",
    "Open a process (psychotherapy) note: its author, or a supervisor whose recorded supervision of the author runs "
    "now (from its start date, until it ends). Never the patient, never exports.",
    _may_read_process,
)


async def get_note_for(actor: Actor, note_id: int) -> IntegrationNote:
    note = await IntegrationNote.get_or_none(id=note_id, clinic_id=actor.clinic_id).select_related(
        "infusion", "patient__user", "author", "signed_by", "cosigned_by"
    )
    if note is None or not await can(actor.user, MAY_NOTE_READ, note):
        raise NotFound("note")
    return note


async def get_process_note_for(actor: Actor, note_id: int) -> ProcessNote:
    note = await ProcessNote.get_or_none(id=note_id, clinic_id=actor.clinic_id).select_related(
        "patient__user", "author"
    )
    if note is None or not await can(actor.user, MAY_PROCESS_NOTE_READ, ProcessNoteNow(note, actor.now)):
        raise NotFound("process note")
    return note
