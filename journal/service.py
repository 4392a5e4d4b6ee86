"""Journal use-cases: write with autosave (never losing a word), read, search, share, export."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from care.access import own_patient
from care.models import Infusion, Instrument, MeasureResponse, Patient
from journal import access, conflicts, safety, versions
from journal.access import MAY_JOURNAL_WRITE
from journal.alerts import alert_if_needed
from journal.models import JournalEntry, JournalPreference, JournalRevision, Kind, Prompt
from journal.prompts import GUIDED, Due, resolve
from server import audit, compiled
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.policy import require

PAGE_SIZE = 20


@dataclass
class Draft:
    """What the editor sends on every save."""

    draft_key: str
    version: int
    kind: str = Kind.FREE
    infusion_id: int | None = None
    prompt_ref: str = ""
    title: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    scales: dict[str, int | None] = field(default_factory=dict)  # mood, anxiety, energy, sleep (0–10)
    shared: bool = False
    # True when the save comes from a page whose share checkbox is showing (the new-entry editor): then the
    # checkbox decides. Other editors never send sharing, so a stale window cannot undo a share made elsewhere.
    share_from_editor: bool = False
    sitting: str = ""  # the editor page load this save comes from (journal/versions.py); "" merges with nothing


@dataclass
class Saved:
    entry: JournalEntry
    created: bool = False
    crisis: list[str] = field(default_factory=list)
    infusion: Infusion | None = None  # the session heading the editor
    copy: JournalEntry | None = None  # another window's text, kept in this conflict copy when this save went on
    moved: bool = False  # this window's text had been moved to a conflict copy, and this save went there too


@dataclass
class Editing:
    """The editor around a refused save: the entry (None before its first save) and the session that heads it."""

    entry: JournalEntry | None
    infusion: Infusion | None
    prompt: Due | None = None  # the prompt a new entry answers, so its words still head the editor


async def own_session(patient: Patient, infusion_id: int | None) -> Infusion | None:
    """The patient's own session an entry is about (None for none, or for anyone else's id)."""
    return await Infusion.get_or_none(id=infusion_id, patient_id=patient.id) if infusion_id else None


def _search_text(draft: Draft) -> str:
    return "\n".join([draft.title, *draft.answers.values(), draft.body]).casefold()


async def _own_infusion(patient: Patient, infusion_id: int | None) -> Infusion | None:
    if infusion_id is None:
        return None
    infusion = await Infusion.get_or_none(id=infusion_id, patient_id=patient.id)
    if infusion is None:
        raise Invalid({"infusion_id": "Choose one of your own sessions."})
    return infusion


BLANK = "There is nothing to save yet: write a few words or choose how you feel."
TRIES = 5  # a save that loses a race to another window's reads the entry again and goes on from there


def blank(draft: Draft) -> bool:
    """No words and no scales: a new entry is never made of nothing."""
    words = [draft.title, draft.body, *draft.answers.values()]
    return not any(w.strip() for w in words) and all(v is None for v in draft.scales.values())


async def save(
    actor: Actor,
    draft: Draft | None,
    entry_id: int | None = None,
    errors: dict[str, str] | None = None,
    session_id: int | None = None,
    prompt_ref: str = "",
) -> Saved:
    """Save a draft. The first save creates the entry (keyed by the page's draft key, so a retry never duplicates;
    never for a blank draft). A later save names the version it started from: when another window saved in between,
    both texts are kept (journal/conflicts.py). A refused draft (None, with the form's `errors`) raises Invalid with
    the editor's page, headed by the session the form named (`session_id`) and the prompt it answers
    (`prompt_ref`); someone else's entry is NotFound before any validation."""
    patient = await own_patient(actor)
    await require(actor.user, MAY_JOURNAL_WRITE, patient)
    editing = await access.get_own_entry(actor, entry_id, deleted=True) if entry_id else None
    try:
        if draft is None:
            raise Invalid(errors or {})
        infusion = await _own_infusion(patient, draft.infusion_id)
        if not editing and blank(draft) and not await _started(patient, draft):
            raise Invalid({"form": BLANK})
    except Invalid as exc:
        prompt = await resolve(patient, prompt_ref, actor.now) if prompt_ref and not editing else None
        raise Invalid(exc.errors, page=Editing(editing, await own_session(patient, session_id), prompt)) from None
    crisis = safety.matches(draft.title, *draft.answers.values(), draft.body)
    for _ in range(TRIES):
        try:
            return await _write(actor, patient, infusion, draft, entry_id, crisis)
        except (IntegrityError, _Raced):  # a concurrent save got there first: go again against what it wrote
            continue
    raise _Raced("the entry kept changing")


async def _started(patient: Patient, draft: Draft) -> bool:
    return await JournalEntry.filter(patient_id=patient.id, draft_key=draft.draft_key).exists()


class _Raced(Exception):
    """Another save changed the entry between this one reading it and writing it (rolls this attempt back)."""


async def _write(
    actor: Actor, patient: Patient, infusion: Infusion | None, draft: Draft, entry_id: int | None, crisis: list[str]
) -> Saved:
    async with in_transaction():
        if entry_id is None:
            entry = await JournalEntry.get_or_none(patient_id=patient.id, draft_key=draft.draft_key)
        else:
            entry = await JournalEntry.get_or_none(id=entry_id, patient_id=patient.id)
            if entry is None:
                raise NotFound("entry")
        if entry is None:
            return Saved(await _create(actor, patient, infusion, draft, bool(crisis)), created=True, crisis=crisis)
        target = await conflicts.route(entry, draft.sitting)
        moved = target.id != entry.id
        if _unchanged(target, draft):  # a repeat (double click, retry) or a save with nothing new: no new version
            return Saved(target, crisis=crisis, infusion=infusion, moved=moved)
        # Another window saved since this one loaded: its text goes into a conflict copy, this (later) text on.
        stale = draft.version != target.version
        copy = await conflicts.split(actor, patient, target, draft.sitting, draft.version) if stale else None
        sharing = {"shared": draft.shared} if draft.share_from_editor else {}
        changed = await JournalEntry.filter(id=target.id, version=target.version).update(
            version=target.version + 1,
            updated_at=actor.now,
            crisis_language=bool(crisis),
            deleted_at=None,  # words saved into an entry deleted in another window bring it back
            **_columns(draft),
            **sharing,
        )
        if not changed:
            raise _Raced(target.id)
        saved = await JournalEntry.get(id=target.id)
        await _after_write(actor, patient, saved, draft, access.ENTRY_SAVED, target.shared)
    return Saved(saved, crisis=crisis, copy=copy, moved=moved)


def _unchanged(entry: JournalEntry, draft: Draft) -> bool:
    """The entry already holds exactly what this save sends (and, from the new-entry editor, its sharing)."""
    same = all(getattr(entry, k) == v for k, v in _columns(draft).items() if k != "search_text")
    return same and (not draft.share_from_editor or entry.shared == draft.shared)


def _columns(draft: Draft) -> dict[str, Any]:
    """The text and scales a save writes. Sharing is not among them: it changes only through its own control,
    so a stale editor can never undo a share made elsewhere."""
    return {
        "title": draft.title,
        "answers": draft.answers,
        "body": draft.body,
        "search_text": _search_text(draft),
        **draft.scales,
    }


async def _create(
    actor: Actor, patient: Patient, infusion: Infusion | None, draft: Draft, crisis: bool
) -> JournalEntry:
    kind = draft.kind if draft.kind in set(Kind) else Kind.FREE
    # An entry started from a prompt is headed by that prompt's own words (looked up again here, never taken from
    # the page) instead of the kind's guided questions.
    prompt = await resolve(patient, draft.prompt_ref, actor.now) if draft.prompt_ref else None
    prompts = [] if prompt else [{"key": k, "question": q} for k, q in GUIDED.get(kind, ())]
    entry = await JournalEntry.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        infusion=infusion,
        kind=kind,
        draft_key=draft.draft_key,
        prompt_ref=draft.prompt_ref,
        prompt_text=prompt.text if prompt else "",
        prompts=prompts,
        version=1,
        created_at=actor.now,
        updated_at=actor.now,
        crisis_language=crisis,
        shared=draft.shared,
        **_columns(draft),
    )
    if draft.prompt_ref.startswith("practice:") and draft.prompt_ref[9:].isdigit():
        await Prompt.filter(id=int(draft.prompt_ref[9:]), patient_id=patient.id).update(answered_entry=entry)
    await _after_write(actor, patient, entry, draft, access.ENTRY_CREATED, previously_shared=False)
    return entry


async def _after_write(
    actor: Actor, patient: Patient, entry: JournalEntry, draft: Draft, action: str, previously_shared: bool
) -> None:
    """The version, the audit events and any alert that go with an accepted save, in its transaction."""
    await versions.record(entry, draft.sitting, actor.now)
    await audit.record(
        actor,
        action,
        object_type="journal_entry",
        object_id=entry.id,
        patient_id=patient.id,
        detail={"version": entry.version, "shared": entry.shared},
    )
    if entry.shared != previously_shared:
        await JournalEntry.filter(id=entry.id).update(shared_at=actor.now if entry.shared else None)
        await audit.record(
            actor,
            access.ENTRY_SHARED if entry.shared else access.ENTRY_UNSHARED,
            object_type="journal_entry",
            object_id=entry.id,
            patient_id=patient.id,
        )
    await alert_if_needed(actor, patient, entry)


async def set_shared(actor: Actor, entry_id: int, shared: bool) -> JournalEntry:
    entry = await access.get_own_entry(actor, entry_id)
    patient = await own_patient(actor)
    if entry.shared == shared:
        return entry
    async with in_transaction():
        await JournalEntry.filter(id=entry.id).update(shared=shared, shared_at=actor.now if shared else None)
        await audit.record(
            actor,
            access.ENTRY_SHARED if shared else access.ENTRY_UNSHARED,
            object_type="journal_entry",
            object_id=entry.id,
            patient_id=patient.id,
        )
        await alert_if_needed(actor, patient, entry)
    return await JournalEntry.get(id=entry.id)


async def read(actor: Actor, entry_id: int) -> JournalEntry:
    entry = await access.get_own_entry(actor, entry_id)
    await audit.record_read(
        actor, access.ENTRY_READ, object_type="journal_entry", object_id=entry.id, patient_id=entry.patient_id
    )
    return entry


@dataclass
class Listing:
    entries: list[JournalEntry]
    next_cursor: int | None
    query: str


async def list_entries(
    actor: Actor,
    query: str = "",
    cursor: int | None = None,
    patient: Patient | None = None,
    found: list[JournalEntry] | None = None,
) -> Listing:
    """The patient's own entries, newest first, PAGE_SIZE at a time; `query` searches title, answers and body.
    `patient` saves the lookup when the caller already holds the actor's own profile (care.access.own_patient);
    `found` is the page already read (ENTRIES, in the journal home's batch) for no query."""
    if patient is None or patient.user_id != actor.user_id:
        patient = await own_patient(actor)
    if found is not None and not query:
        entries = found
    elif query:  # a search's `contains` rewrites its value, so it is not compiled
        entries = await _entries(patient.id, cursor or None).filter(search_text__contains=query.casefold())
    else:
        entries = await _ENTRIES.all(patient_id=patient.id, cursor=cursor or None)
    await audit.record_read(
        actor,
        access.ENTRIES_LISTED,
        object_type="journal",
        patient_id=patient.id,
        detail={"searched": bool(query), "count": min(len(entries), PAGE_SIZE)},
    )
    more = len(entries) > PAGE_SIZE
    return Listing(entries[:PAGE_SIZE], entries[PAGE_SIZE - 1].id if more else None, query)


def _entries(patient_id: int, cursor: int | None) -> QuerySet[JournalEntry]:
    """A page of the patient's entries, newest first, before the cursor entry if one is given."""
    rows = JournalEntry.filter(patient_id=patient_id, deleted_at=None).select_related("infusion")
    if cursor is not None:
        rows = rows.filter(id__lt=cursor)
    return rows.order_by("-id").limit(PAGE_SIZE + 1)


_ENTRIES = ENTRIES = compiled.query(_entries)
_SHARE_BY_DEFAULT = SHARE_BY_DEFAULT = compiled.query(
    lambda patient_id: (
        JournalPreference.filter(patient_id=patient_id).limit(1).values_list("share_by_default", flat=True)
    )
)


async def share_by_default(patient: Patient) -> bool:
    return bool(await _SHARE_BY_DEFAULT.first(patient_id=patient.id))


async def set_preference(actor: Actor, share_default: bool) -> None:
    patient = await own_patient(actor)
    async with in_transaction():
        await JournalPreference.update_or_create(defaults={"share_by_default": share_default}, patient=patient)
        await audit.record(
            actor,
            access.PREFERENCE_CHANGED,
            object_type="patient",
            object_id=patient.id,
            patient_id=patient.id,
            detail={"share_by_default": share_default},
        )


@dataclass
class Export:
    """Everything of the patient's own for a download or the print page, oldest first (not what is in "Recently
    deleted")."""

    patient: Patient
    entries: list[JournalEntry]
    revisions: dict[int, list[JournalRevision]]
    measures: list[MeasureResponse]  # PHQ-9 and GAD-7 (the clinician's C-SSRS screener is not the patient's form)


async def export(actor: Actor, fmt: str) -> Export:
    """All of the patient's own entries (with every version) and questionnaire scores, oldest first, for download
    (`fmt` md or json) or for the print page (`fmt` print); not entries in "Recently deleted"."""
    patient = await own_patient(actor)
    rows = JournalEntry.filter(patient_id=patient.id, deleted_at=None)
    entries = await rows.select_related("infusion").order_by("id")
    revisions = await JournalRevision.filter(entry__patient_id=patient.id, entry__deleted_at=None).order_by(
        "entry_id", "version"
    )
    measures = await MeasureResponse.filter(
        patient_id=patient.id, instrument__in=[Instrument.PHQ9, Instrument.GAD7]
    ).order_by("taken_at")
    await audit.record_read(
        actor,
        access.EXPORTED,
        object_type="journal",
        patient_id=patient.id,
        detail={"format": fmt, "entries": len(entries), "measures": len(measures)},
    )
    by_entry: dict[int, list[JournalRevision]] = {}
    for revision in revisions:
        by_entry.setdefault(revision.entry_id, []).append(revision)
    return Export(patient, entries, by_entry, measures)
