"""Journal prompts: guided questions for an entry, the schedule after each infusion, and practice prompts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from care.clinic_settings import PROMPT_HOURS_MAX, ClinicSettings
from care.models import Infusion, Patient
from journal.models import JournalEntry, Prompt

SHOW_FOR = timedelta(days=7)  # a due prompt stays on the home page this long, then quietly drops off (no nagging)

GUIDED = {
    "post_session": (
        ("stood_out", "What stood out from the session?"),
        ("emotions", "What feelings came up, then or since?"),
        ("body", "What did you notice in your body?"),
        ("insights", "Any insights, images or memories you want to keep?"),
        ("carry_forward", "What would you like to carry forward into daily life?"),
        ("intention", "An intention until your next session"),
    ),
    "check_in": (
        ("today", "How are you today?"),
        ("helping", "What has been helping, even a little?"),
    ),
    "free": (),
}


def questions(kind: str, prompt_text: str) -> tuple[tuple[str, str], ...]:
    """The guided questions an editor offers: an entry answering a prompt is headed by the prompt's own words
    instead of its kind's questions (a week after a session is not "What stood out from the session?")."""
    return () if prompt_text else GUIDED.get(kind, ())


@dataclass(frozen=True)
class Due:
    ref: str
    text: str
    due_at: datetime
    infusion: Infusion | None


def _label(hours: int) -> str:
    if hours < 24:
        return "an hour" if hours == 1 else f"{hours} hours"
    if hours % 168 == 0:
        weeks = hours // 168
        return "a week" if weeks == 1 else f"{weeks} weeks"
    days = hours // 24
    return "a day" if days == 1 else f"{days} days"


def schedule_text(hours: int, infusion: Infusion) -> str:
    return f"It has been {_label(hours)} since session {infusion.number}. How are things now?"


def schedule_ref(infusion_id: int, hours: int) -> str:
    return f"schedule:{infusion_id}:{hours}"


async def due(patient: Patient, now: datetime, settings: ClinicSettings) -> list[Due]:
    """Scheduled prompts due now and not yet answered: the clinic's schedule after recent infusions. (Practices
    from the care team are listed apart, with their tally: see `practices`.)"""
    hours = settings.prompt_schedule_hours
    since = now - timedelta(hours=max(hours)) - SHOW_FOR
    infusions = await Infusion.filter(patient_id=patient.id, started_at__gte=since, started_at__lte=now)
    showing: list[tuple[str, datetime, int, Infusion]] = []
    for infusion in infusions:
        for h in hours:
            at: datetime = infusion.started_at + timedelta(hours=h)  # type: ignore[operator, assignment]
            if at <= now < at + SHOW_FOR:
                showing.append((schedule_ref(infusion.id, h), at, h, infusion))
    # Only the prompts showing now are looked up among the answers, so a long journal costs nothing extra.
    answered = set(
        await JournalEntry.filter(
            patient_id=patient.id, deleted_at=None, prompt_ref__in=[ref for ref, *_ in showing]
        ).values_list("prompt_ref", flat=True)
        if showing
        else ()
    )
    found = [Due(ref, schedule_text(h, i), at, i) for ref, at, h, i in showing if ref not in answered]
    return sorted(found, key=lambda d: d.due_at, reverse=True)


async def resolve(patient: Patient, ref: str, now: datetime) -> Due | None:
    """The prompt a reference names, with its words, when it is the patient's own and has fallen due: a scheduled
    prompt ("schedule:<infusion id>:<hours>") or a practice from the care team ("practice:<prompt id>"). None for
    anything else, so a made-up reference opens an ordinary editor."""
    kind, _, rest = ref.partition(":")
    parts = rest.split(":")
    if not all(p.isdigit() and len(p) < 10 for p in parts):
        return None
    if kind == "schedule" and len(parts) == 2 and 0 < int(parts[1]) <= PROMPT_HOURS_MAX:
        infusion = await Infusion.get_or_none(id=int(parts[0]), patient_id=patient.id, started_at__lte=now)
        hours = int(parts[1])
        if infusion is None:
            return None
        at: datetime = infusion.started_at + timedelta(hours=hours)  # type: ignore[operator, assignment]
        return Due(ref, schedule_text(hours, infusion), at, infusion)
    if kind == "practice" and len(parts) == 1:
        practice = await Prompt.get_or_none(id=int(parts[0]), patient_id=patient.id, due_at__lte=now).select_related(
            "infusion"
        )
        return Due(ref, practice.text, practice.due_at, practice.infusion) if practice else None
    return None
