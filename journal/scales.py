"""Mood, anxiety and sleep from the patient's own journal entries, charted on their progress page beside PHQ-9 and
GAD-7 (a panel on care's /me/progress, drawn on the server as SVG like the scores chart: no script, CSP intact)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from care.chart import Point, Series
from care.models import Infusion, Patient
from journal import access
from journal.models import JournalEntry
from server import audit
from server.actor import Actor

SCALES = (("mood", "Mood"), ("anxiety", "Anxiety"), ("sleep", "Sleep"))
RECENT = 180  # entries with a scale, newest first: about six months of daily check-ins, in one query
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 30, 12, 12, 30


@dataclass
class ScalesChart:
    width: int = WIDTH
    height: int = HEIGHT
    series: list[Series] = field(default_factory=list)
    ticks: list[tuple[float, int]] = field(default_factory=list)
    first_day: str = ""
    last_day: str = ""
    latest: list[tuple[str, float]] = field(default_factory=list)  # (label, value) of the last day with each scale
    days: int = 0


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 10)


def _per_day(rows: list[dict[str, Any]], zone: ZoneInfo) -> dict[date, dict[str, float]]:
    """Each day's average of each scale (a day with two entries is one point)."""
    sums: dict[date, dict[str, list[int]]] = {}
    for row in rows:
        day = row["created_at"].astimezone(zone).date()
        for name, _ in SCALES:
            if row[name] is not None:
                sums.setdefault(day, {}).setdefault(name, []).append(row[name])
    return {day: {n: sum(v) / len(v) for n, v in scales.items()} for day, scales in sorted(sums.items())}


def chart(rows: list[dict[str, Any]], tz: str) -> ScalesChart:
    zone = ZoneInfo(tz)
    days = _per_day(rows, zone)
    if not days:
        return ScalesChart()
    first, last = min(days), max(days)
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span

    result = ScalesChart(ticks=[(_y(v), v) for v in (0, 5, 10)], first_day=f"{first:%-d %b}", last_day=f"{last:%-d %b}")
    result.days = len(days)
    for name, label in SCALES:
        points = [
            Point(x(day), _y(values[name]), f"{label} {values[name]:g}/10 on {day:%-d %b %Y}")
            for day, values in days.items()
            if name in values
        ]
        result.series.append(Series(label, name, points))
        latest = [values[name] for values in days.values() if name in values]
        if latest:
            result.latest.append((label, round(latest[-1], 1)))
    return result


async def scales_panel(actor: Actor, patient: Patient, infusion: Infusion | None = None) -> dict[str, Any] | None:
    """The patient's own mood, anxiety and sleep (never anyone else's), read once and audited."""
    if actor.user is None or patient.user_id != actor.user_id:
        return None
    rows = (
        await JournalEntry.filter(patient_id=patient.id)
        .filter(Q(mood__not_isnull=True) | Q(anxiety__not_isnull=True) | Q(sleep__not_isnull=True))
        .order_by("-created_at")
        .limit(RECENT)
        .values("created_at", "mood", "anxiety", "sleep")
    )
    await audit.record_read(
        actor, access.SCALES_VIEWED, object_type="journal", patient_id=patient.id, detail={"entries": len(rows)}
    )
    return {"chart": chart(rows, actor.tz)}
