"""What the journal's pages show: the home page with its due prompts and panels, and the editor's starting point.

Each function is one service call for one page: it looks the patient up, reads what the page needs and audits the
reads (through the services it calls)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from tortoise.queryset import QuerySet

from care import reads
from care.access import own_patient
from care.clinic_settings import ClinicSettings
from care.models import Infusion, Patient
from journal import panels, practices, prompts, service, timeline, trash, versions
from journal.checkin import hours
from journal.forms import SCALES
from journal.models import JournalEntry, Kind
from journal.practices import Practice
from journal.prompts import Due, resolve
from server.actor import Actor
from server.compiled_together import Batch
from server.panels import Rendered


@dataclass
class Home:
    listing: service.Listing
    days: list[timeline.Day] = field(default_factory=list)
    due: list[Due] = field(default_factory=list)
    latest: Infusion | None = None
    share_default: bool = False
    panels: list[Rendered] = field(default_factory=list)
    practices: list[Practice] = field(default_factory=list)
    just_deleted: JournalEntry | None = None


async def home(
    actor: Actor, query: str, cursor: int | None, *, entries_only: bool = False, deleted: int | None = None
) -> Home:
    """The patient's journal home: a page of entries as a timeline by day (all that `entries_only` asks for, when
    htmx loads older ones), the prompts due now, the practices from the care team, the latest session to write
    about, the sharing preference and other rooms' panels; and, right after a delete, the entry it moved (for Undo)."""
    patient = await own_patient(actor)
    if not entries_only:
        return await _home(actor, query, cursor, patient, deleted)
    listing = await service.list_entries(actor, query, cursor, patient)
    # Older entries appended in place continue the day the page above ends on (the cursor is its last entry): that
    # day gets no second heading. A whole page (no htmx) starts with its heading.
    above = JournalEntry.filter(id=cursor, patient_id=patient.id).values_list("created_at", flat=True)
    shown: list[Any] = list(await above) if cursor and entries_only else []
    after_day = timeline.local_day(shown[0], actor.tz) if shown else ""
    return Home(listing, timeline.days(listing.entries, actor.tz, actor.now, query, after_day))


async def _home(actor: Actor, query: str, cursor: int | None, patient: Patient, deleted: int | None) -> Home:
    """The whole home page in two statements after the patient's own lookup: everything it shows, then what depends
    on that (which due prompts are answered, how often the practices shown were done)."""
    settings, first = ClinicSettings.of(actor.clinic), Batch()
    entries = None if query else first.want(service.ENTRIES, patient_id=patient.id, cursor=cursor or None)
    latest = first.want(reads.LATEST_GIVEN, patient_id=patient.id)
    prompted = prompts.due_wants(first, patient, actor.now, settings)
    share = first.want(service.SHARE_BY_DEFAULT, patient_id=patient.id)
    assigned = practices.want(first, patient, actor.now)
    wanted = await panels.want(actor, patient, first)
    await first.run()
    found = first.got(entries) if entries is not None else None
    listing = await service.list_entries(actor, query, cursor, patient, found)
    shown = prompts.showing(first.got(prompted["given"]), actor.now, settings)
    groups, second = practices.shown(first.got(assigned)), Batch()
    answered, done = prompts.want_answered(second, patient, shown), practices.want_done(second, groups)
    await second.run()  # nothing to ask when no prompt and no practice shows: no statement
    got = {name: first.got(handle) for name, handle in prompted.items()}
    return Home(
        listing,
        timeline.days(listing.entries, actor.tz, actor.now, query, ""),
        prompts.due(
            shown, second.got(answered) if answered is not None else [], got["bookings"], got["intentions"], settings
        ),
        first.first(latest),
        bool(first.first(share)),
        await panels.collect(actor, patient, batch=first, wanted=wanted),
        practices.tallied(groups, second.got(done) if done is not None else [], actor.now, actor.tz),
        await trash.just_deleted(actor, deleted),
    )


async def _session_entry(patient: Patient, infusion_id: int) -> int | None:
    """The first entry begun with "Write about session N" (not one answering a prompt), to offer to continue."""
    rows = JournalEntry.filter(
        patient_id=patient.id, infusion_id=infusion_id, kind=Kind.POST_SESSION, prompt_ref="", deleted_at=None
    )
    return await _first_id(rows)


async def _first_id(rows: QuerySet[JournalEntry]) -> int | None:
    ids: list[int] = await rows.order_by("id").limit(1).values_list("id", flat=True)  # type: ignore[assignment]
    return ids[0] if ids else None


@dataclass
class NewEntry:
    infusion: Infusion | None
    values: dict[str, Any]
    existing: int | None = None  # the entry already answering this prompt: the editor continues it


async def new_entry(actor: Actor, infusion_id: int | None, kind: str | None, prompt_ref: str) -> NewEntry:
    """A fresh editor: about one of the patient's own sessions (or none), or answering a prompt, headed by the
    prompt's own words, with a new draft key so the first save, however often it is retried, makes one entry.
    When the prompt already has an entry, that entry is named instead, so following the same invitation twice
    continues one entry rather than starting a duplicate; writing about a session that already has an entry offers
    to continue it (values["session_entry"]) and leaves the choice to the patient."""
    patient = await own_patient(actor)
    prompt = await resolve(patient, prompt_ref[:40], actor.now) if prompt_ref else None
    infusion = prompt.infusion if prompt else await service.own_session(patient, infusion_id)
    existing = session_entry = None
    if prompt:
        existing = await _first_id(JournalEntry.filter(patient_id=patient.id, prompt_ref=prompt.ref, deleted_at=None))
        kinds = {"schedule": Kind.POST_SESSION, "intention": Kind.INTENTION}
        kind = kinds.get(prompt.ref.partition(":")[0], Kind.CHECK_IN)
    elif infusion and kind in (None, Kind.POST_SESSION):
        session_entry = await _session_entry(patient, infusion.id)
    values = {
        "kind": kind or (Kind.POST_SESSION if infusion else Kind.FREE),
        "infusion_id": infusion.id if infusion else "",
        "version": 0,
        "draft_key": secrets.token_urlsafe(24),
        "sitting": secrets.token_urlsafe(24),
        "prompt_ref": prompt.ref if prompt else "",
        **heading(None, prompt),
        # An intention is written for the therapist to read before the session: shared unless the patient unticks it.
        "shared": kind == Kind.INTENTION or await service.share_by_default(patient),
        "session_entry": session_entry,
    }
    return NewEntry(infusion, values, existing)


def editor_values(entry: JournalEntry) -> dict[str, Any]:
    """An entry as its editor shows it."""
    return {
        "kind": entry.kind,
        "infusion_id": entry.infusion_id or "",
        "version": entry.version,
        "draft_key": entry.draft_key,
        "sitting": secrets.token_urlsafe(24),  # a new page load is a new sitting: its saves make one new version
        "prompt_ref": entry.prompt_ref,
        **heading(entry, None),
        "title": entry.title,
        "body": entry.body,
        "shared": entry.shared,
        "crisis": entry.crisis_language,
        **{f"answer_{k}": v for k, v in entry.answers.items()},
        **{name: getattr(entry, name) if getattr(entry, name) is not None else "" for name in SCALES},
        "mood5": entry.mood5 or "",
        "tags": entry.tags or [],
        "sleep_hours": hours(entry.sleep_hours) if entry.sleep_hours is not None else "",
    }


@dataclass
class EntryPage:
    entry: JournalEntry
    versions: int
    copies: list[JournalEntry]  # conflict copies split from this entry (not deleted)
    copy_of: JournalEntry | None  # the entry this one is a conflict copy of
    panels: list[Rendered]  # what later rooms add under it (the care team's replies)


async def entry_page(actor: Actor, entry_id: int) -> EntryPage:
    """One entry as its page shows it: how many versions it has, its conflict copies or original, and what later
    rooms add under it."""
    entry = await service.read(actor, entry_id)
    count = await versions.count(entry)
    copies = await JournalEntry.filter(conflict_of_id=entry.id, deleted_at=None).order_by("id")
    original = None
    if entry.conflict_of_id:
        original = await JournalEntry.get_or_none(id=entry.conflict_of_id, deleted_at=None)
    shown = await actor.registry.page(panels.ENTRY).collect(actor, await own_patient(actor), entry)
    return EntryPage(entry, count, copies, original, shown)


def heading(entry: JournalEntry | None, prompt: Due | None) -> dict[str, Any]:
    """What heads an editor answering a prompt: the prompt's words, and whether they are a practice."""
    ref = entry.prompt_ref if entry else (prompt.ref if prompt else "")
    words = entry.prompt_text if entry else (prompt.text if prompt else "")
    return {"prompt_text": words, "practice": bool(words) and ref.startswith("practice:")}
