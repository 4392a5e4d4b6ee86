"""Journal prompts: guided questions for an entry, the schedule after each infusion, and practice prompts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from care.clinic_settings import ClinicSettings
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


async def due(patient: Patient, now: datetime, settings: ClinicSettings) -> list[Due]:
    """Prompts due now and not yet answered: the clinic's schedule after recent infusions, plus practice prompts."""
    hours = settings.prompt_schedule_hours
    since = now - timedelta(hours=max(hours)) - SHOW_FOR
    infusions = await Infusion.filter(patient_id=patient.id, started_at__gte=since, started_at__lte=now)
    showing: list[tuple[str, datetime, int, Infusion]] = []
    for infusion in infusions:
        for h in hours:
            at: datetime = infusion.started_at + timedelta(hours=h)  # type: ignore[operator, assignment]
            if at <= now < at + SHOW_FOR:
                showing.append((f"schedule:{infusion.id}:{h}", at, h, infusion))
    # Only the prompts showing now are looked up among the answers, so a long journal costs nothing extra.
    answered = set(
        await JournalEntry.filter(patient_id=patient.id, prompt_ref__in=[ref for ref, *_ in showing]).values_list(
            "prompt_ref", flat=True
        )
        if showing
        else ()
    )
    found: list[Due] = []
    for ref, at, h, infusion in showing:
        if ref not in answered:
            text = f"It has been {_label(h)} since session {infusion.number}. How are things now?"
            found.append(Due(ref, text, at, infusion))
    practice = await Prompt.filter(patient_id=patient.id, answered_entry_id=None, due_at__lte=now).select_related(
        "infusion"
    )
    found += [Due(f"practice:{p.id}", p.text, p.due_at, p.infusion) for p in practice]
    return sorted(found, key=lambda d: d.due_at, reverse=True)
