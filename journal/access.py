"""Who may read and write journal entries, and the lookups every handler goes through.

A patient reads and writes only their own entries. Staff who may see the patient (care-team therapists,
supervisors) read only entries the patient shared; private entries are 404 to everyone else, always.
"""

from __future__ import annotations

from care.access import MAY_PATIENT_VIEW, own_patient
from care.models import Patient
from journal.models import JournalEntry
from server import audit
from server.actor import Actor
from server.errors import NotFound
from server.models import Role, User
from server.policy import Rule, can

ENTRY_CREATED = audit.define("journal.entry_created", "A patient started a journal entry (first save).")
ENTRY_SAVED = audit.define("journal.entry_saved", "A patient saved a journal entry (autosave or submit).")
ENTRY_CONFLICT = audit.define(
    "journal.save_conflict",
    "Two windows saved one entry: the other window's text was kept in a conflict copy (object: the copy; detail: "
    "the entry it was split from).",
)
VERSION_RESTORED = audit.define(
    "journal.version_restored", "A patient restored an older version of an entry (a new version; detail: which)."
)
ENTRY_DELETED = audit.define("journal.entry_deleted", "A patient moved an entry to Recently deleted.")
ENTRY_UNDELETED = audit.define("journal.entry_undeleted", "A patient put an entry back from Recently deleted (Undo).")
ENTRY_PURGED = audit.define(
    "journal.entry_purged", "An entry 30 days in Recently deleted was removed for good, with its versions (system)."
)
ENTRY_READ = audit.define("journal.entry_read", "A patient opened one of their own entries or its history.")
ENTRIES_LISTED = audit.define("journal.entries_listed", "A patient listed or searched their own entries.")
ENTRY_SHARED = audit.define("journal.entry_shared", "A patient shared an entry with their care team.")
ENTRY_UNSHARED = audit.define("journal.entry_unshared", "A patient stopped sharing an entry.")
SHARED_VIEWED = audit.define("journal.shared_viewed", "Staff viewed a patient's shared entries (chart, infusion).")
EXPORTED = audit.define(
    "journal.exported", "A patient downloaded their journal and scores (Markdown or JSON) or opened it to print."
)
PREFERENCE_CHANGED = audit.define("journal.preference_changed", "A patient changed their default sharing setting.")
CARE_TEAM_ASKED = audit.define(
    "journal.care_team_asked",
    "A patient pressed 'Let my care team know' on an entry (detail: whether an alert was raised).",
)
PRACTICE_DONE = audit.define("journal.practice_done", "A patient ticked (or unticked) a practice as done today.")
SCALES_VIEWED = audit.define(
    "journal.scales_viewed", "A patient viewed the mood, anxiety and sleep chart from their entries (progress page)."
)
PROMPTS_ASSIGNED = audit.define("journal.prompts_assigned", "A clinician assigned practice prompts to a patient.")


def _may_write(user: User, patient: Patient) -> bool:
    return user.role == Role.PATIENT and patient.user_id == user.id


async def _may_read_shared(user: User, patient: Patient) -> bool:
    return user.role in {Role.THERAPIST, Role.SUPERVISOR} and await can(user, MAY_PATIENT_VIEW, patient)


MAY_JOURNAL_WRITE = Rule(
    "journal.write",
    "Write, edit, share and export journal entries: the patient, for their own journal only.",
    _may_write,
)

MAY_JOURNAL_READ_SHARED = Rule(
    "journal.read_shared",
    "Read entries a patient shared: whoever may see the patient's chart (not the patient's private entries, ever).",
    _may_read_shared,
)


async def get_own_entry(actor: Actor, entry_id: int, *, deleted: bool = False) -> JournalEntry:
    """One of the signed-in patient's own entries (NotFound for anyone else's, and for one in Recently deleted
    unless `deleted` allows it)."""
    patient = await own_patient(actor)
    entry = await JournalEntry.get_or_none(id=entry_id, patient_id=patient.id).select_related("infusion")
    if entry is None or (entry.deleted_at is not None and not deleted):
        raise NotFound("entry")
    return entry
