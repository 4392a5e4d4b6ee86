"""Practices from the care team ("Morning walk, 10 minutes"): listed on the journal home, each with a "done today"
tick and a gentle tally of the days it was done. No streaks, no missed days, nothing overdue: a day without the
practice changes nothing that is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from care.access import own_patient
from care.models import Patient
from journal import access
from journal.models import PracticeDone, Prompt
from server import audit, compiled
from server.actor import Actor
from server.compiled_together import Batch
from server.errors import NotFound

SHOWN = 5  # the newest practices; a note that assigns the same practice again replaces it rather than adding a row
LOOKED_AT = 30


@dataclass(frozen=True)
class Practice:
    prompt: Prompt  # the newest assignment of this practice
    days_done: int  # on how many days it was ticked, across every assignment of the same words
    done_today: bool
    entry_id: int | None  # the entry written about it, to continue


def today(now: datetime, tz: str) -> date:
    """'Today' is today in the clinic's time zone."""
    return now.astimezone(ZoneInfo(tz)).date()


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def _written(prompt: Prompt) -> bool:
    """The practice has an entry written about it, not in Recently deleted."""
    entry = prompt.answered_entry
    return prompt.answered_entry_id is not None and entry is not None and entry.deleted_at is None


_DUE = compiled.query(
    lambda patient_id, now: (
        Prompt.filter(patient_id=patient_id, source="practice", due_at__lte=now)
        .select_related("answered_entry")
        .order_by("-due_at", "-id")
        .limit(LOOKED_AT)
    )
)
_DONE = compiled.query(lambda ids: PracticeDone.filter(prompt_id__in=ids).values_list("prompt_id", "day"))


def want(batch: Batch, patient: Patient, now: datetime) -> int:
    """The practices that have fallen due, put in the journal home's first batch (see `shown`)."""
    return batch.want(_DUE, patient_id=patient.id, now=now)


def shown(due: list[Prompt]) -> list[list[Prompt]]:
    """The practices shown: the newest assignments, grouped by their words."""
    newest: dict[str, list[Prompt]] = {}
    for prompt in due:
        newest.setdefault(_words(prompt.text), []).append(prompt)
    return list(newest.values())[:SHOWN]


def want_done(batch: Batch, groups: list[list[Prompt]]) -> int | None:
    """The days the shown practices were ticked, put in the journal home's second batch (None: nothing shown)."""
    ids = [p.id for group in groups for p in group]
    return batch.want(_DONE, ids=ids) if ids else None


async def listing(patient: Patient, now: datetime, tz: str) -> list[Practice]:
    """The practices with their tallies read on their own (after a tick), in two queries."""
    groups = shown(await _DUE.all(patient_id=patient.id, now=now))
    ids = [p.id for group in groups for p in group]
    return tallied(groups, await _DONE.all(ids=ids) if ids else [], now, tz)


def tallied(groups: list[list[Prompt]], done_days: list[tuple[int, date]], now: datetime, tz: str) -> list[Practice]:
    """The patient's practices that have fallen due (`shown`), newest first, one per wording, with their tallies
    from the days they were ticked (`want_done`): two queries however many there are, in the home's batches."""
    if not groups:
        return []
    days: dict[int, set[date]] = {}
    for prompt_id, day in done_days:
        days.setdefault(prompt_id, set()).add(day)
    this_day = today(now, tz)
    found = []
    for group in groups:
        done = set().union(*(days.get(p.id, set()) for p in group))
        entry_id = next((p.answered_entry_id for p in group if _written(p)), None)
        found.append(Practice(group[0], len(done), this_day in done, entry_id))
    return found


async def mark_done(actor: Actor, prompt_id: int, done: bool) -> Practice:
    """Tick a practice as done today (once a day, however often it is pressed) or take today's tick back."""
    patient = await own_patient(actor)
    prompt = await Prompt.get_or_none(id=prompt_id, patient_id=patient.id, source="practice")
    if prompt is None:
        raise NotFound("practice")
    day = today(actor.now, actor.tz)
    try:
        async with in_transaction():
            ticked = PracticeDone.filter(prompt_id=prompt.id, day=day)
            if done and not await ticked.exists():
                await PracticeDone.create(
                    clinic_id=patient.clinic_id, patient_id=patient.id, prompt=prompt, day=day, done_at=actor.now
                )
                changed = True
            else:
                changed = not done and bool(await ticked.delete())
            if changed:
                await audit.record(
                    actor,
                    access.PRACTICE_DONE,
                    object_type="prompt",
                    object_id=prompt.id,
                    patient_id=patient.id,
                    detail={"done": done},
                )
    except IntegrityError:  # ticked at the same moment by another request (a double click): that one counted
        pass
    shown = await listing(patient, actor.now, actor.tz)
    return next((p for p in shown if _words(p.prompt.text) == _words(prompt.text)), Practice(prompt, 0, False, None))
