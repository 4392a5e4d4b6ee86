"""The server-rendered progress chart: its geometry and its inline SVG (templates/care/_progress_chart.html shows
`geometry.svg`), drawn in Python and kept per process for the scores, sessions and time zone it shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from markupsafe import Markup, escape

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
    svg: Markup = Markup("")


def _y(score: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - score / MAX_SCORE)


class _Score(NamedTuple):
    """What the chart shows of one score."""

    taken_at: datetime
    total: int
    severity: str
    retake: bool  # the day's last of several


class _Session(NamedTuple):
    scheduled_at: datetime
    number: int


def geometry(progress: Progress, tz: str) -> ChartGeometry:
    """The chart of a patient's progress. Everything the drawing shows is the cache key (every plotted score with
    its time, total, severity and retake mark, every session, the time zone), so a new, edited, struck or retaken
    score draws anew; the result is shared and must not be changed."""

    def scores(measures: list) -> tuple[_Score, ...]:
        return tuple(_Score(m.taken_at, m.total, m.severity, m.id in progress.retakes) for m in measures)

    sessions = tuple(_Session(i.scheduled_at, i.number) for i in progress.infusions)
    return _drawn(tz, scores(progress.phq9), scores(progress.gad7), sessions)


@lru_cache(maxsize=512)
def _drawn(
    tz: str, phq9: tuple[_Score, ...], gad7: tuple[_Score, ...], sessions: tuple[_Session, ...]
) -> ChartGeometry:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    moments = [m.taken_at for m in phq9 + gad7] + [i.scheduled_at for i in sessions]
    if not moments:
        return ChartGeometry(WIDTH, HEIGHT, [], [], [], None, [], True)
    start, end = min(moments), max(moments)
    span = max((end - start).total_seconds(), timedelta(days=1).total_seconds())

    def x(at: datetime) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (at - start).total_seconds() / span

    def series(name: str, css: str, measures: tuple[_Score, ...]) -> Series:
        def label(m: _Score) -> str:
            text = f"{name} {m.total} ({m.severity}) on {m.taken_at.astimezone(zone):%d %b %Y}"
            return text + (" — the day's last score (retaken that day)" if m.retake else "")

        points = [Point(x(m.taken_at), _y(m.total), label(m), m.retake) for m in measures]
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
        for i in sessions
    ]
    drawn = ChartGeometry(
        WIDTH,
        HEIGHT,
        [series("PHQ-9", "phq9", phq9), series("GAD-7", "gad7", gad7)],
        bands,
        markers,
        _y(phq9[0].total) if phq9 else None,
        [(_y(s), s) for s in (0, 5, 10, 15, 20, 27)],
        False,
    )
    drawn.svg = _svg(drawn)
    return drawn


def _svg(g: ChartGeometry) -> Markup:
    """The chart as inline SVG (CSP-safe; no script or style), every text escaped."""
    w, h = g.width, g.height
    out = [
        f'<svg viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-title chart-desc" class="chart-svg">\n'
        '      <title id="chart-title">PHQ-9 and GAD-7 scores over the course</title>\n'
        '      <desc id="chart-desc">Lower is better. Shaded bands show PHQ-9 severity; vertical lines mark infusions. '
        "The same scores are listed below.</desc>\n"
    ]
    out += [
        f'<rect class="band {escape(b.css)}" x="36" y="{b.y:.1f}" width="{w - 48}" height="{b.height:.1f}">'
        f"<title>PHQ-9 {escape(b.label)}</title></rect>"
        for b in g.bands
    ]
    out += [f'<text class="tick" x="30" y="{y + 4:.1f}" text-anchor="end">{label}</text>' for y, label in g.ticks]
    out += [
        f'<line class="marker" x1="{m.x:.1f}" x2="{m.x:.1f}" y1="12" y2="{h - 34}"><title>{escape(m.title)}</title>'
        f'</line><text class="marker-label" x="{m.x:.1f}" y="{h - 20}" text-anchor="middle">{escape(m.label)}</text>'
        for m in g.markers
    ]
    if g.baseline_y is not None:
        out.append(
            f'<line class="baseline" x1="36" x2="{w - 12}" y1="{g.baseline_y:.1f}" y2="{g.baseline_y:.1f}">'
            "<title>PHQ-9 baseline</title></line>"
        )
    for s in g.series:
        if not s.points:
            continue
        css = escape(s.css)
        out.append(f'      <polyline class="line {css}" points="{s.polyline}"/>\n')
        for p in s.points:
            out.append(
                f'<circle class="dot {css}" cx="{p.x:.1f}" cy="{p.y:.1f}" r="4"><title>{escape(p.label)}</title>'
                "</circle>"
            )
            if p.retake:
                out.append(f'<circle class="retake-ring {css}" cx="{p.x:.1f}" cy="{p.y:.1f}" r="7.5"/>')
    out.append(
        f'      <text class="axis-label" x="{w - 12}" y="{h - 4}" text-anchor="end">infusion number →</text>\n'
        "    </svg>"
    )
    return Markup("".join(out))  # noqa: S704 - every text in it escaped just above
