"""Geometry for the server-rendered progress chart (templates/care/_progress.html draws it as inline SVG)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from care.clinical import PHQ9_BANDS
from care.progress import Progress

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 34
MAX_SCORE = 27  # PHQ-9's range; GAD-7 (0–21) shares the axis


@dataclass
class Point:
    x: float
    y: float
    label: str
    retake: bool = False  # the day's last of several scores (drawn with a ring; the earlier ones are not points)


@dataclass
class Series:
    name: str
    css: str
    points: list[Point] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class Band:
    y: float
    height: float
    label: str
    css: str


@dataclass
class Marker:
    x: float
    label: str
    title: str


@dataclass
class ChartGeometry:
    width: int
    height: int
    series: list[Series]
    bands: list[Band]
    markers: list[Marker]
    baseline_y: float | None
    ticks: list[tuple[float, int]]
    empty: bool


def _y(score: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - score / MAX_SCORE)


def geometry(progress: Progress, tz: str) -> ChartGeometry:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    moments = [m.taken_at for m in progress.phq9 + progress.gad7] + [i.scheduled_at for i in progress.infusions]
    if not moments:
        return ChartGeometry(WIDTH, HEIGHT, [], [], [], None, [], True)
    start, end = min(moments), max(moments)
    span = max((end - start).total_seconds(), timedelta(days=1).total_seconds())

    def x(at: datetime) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (at - start).total_seconds() / span

    def series(name: str, css: str, measures: list) -> Series:
        def label(m: Any) -> str:
            text = f"{name} {m.total} ({m.severity}) on {m.taken_at.astimezone(zone):%d %b %Y}"
            return text + (" — the day's last score (retaken that day)" if m.id in progress.retakes else "")

        points = [Point(x(m.taken_at), _y(m.total), label(m), m.id in progress.retakes) for m in measures]
        return Series(name, css, points)

    edges = [floor for floor, _ in PHQ9_BANDS] + [MAX_SCORE + 1]
    bands = [
        Band(_y(edges[i + 1] - 0.5 if i + 1 < len(PHQ9_BANDS) else MAX_SCORE), 0, label, f"band-{i}")
        for i, (_, label) in enumerate(PHQ9_BANDS)
    ]
    for i, band in enumerate(bands):
        low = _y(max(edges[i] - 0.5, 0))
        band.height = low - band.y
    markers = [
        Marker(x(i.scheduled_at), str(i.number), f"Infusion {i.number}, {i.scheduled_at.astimezone(zone):%d %b %Y}")
        for i in progress.infusions
    ]
    return ChartGeometry(
        WIDTH,
        HEIGHT,
        [series("PHQ-9", "phq9", progress.phq9), series("GAD-7", "gad7", progress.gad7)],
        bands,
        markers,
        _y(progress.baseline) if progress.baseline is not None else None,
        [(_y(s), s) for s in (0, 5, 10, 15, 20, 27)],
        False,
    )
