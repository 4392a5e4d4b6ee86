"""The progress chart's SVG is drawn in Python (care/chart.py) and kept per process: byte for byte what the Jinja
loop it replaced wrote, and drawn anew whenever anything it shows changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from care import chart
from care.models import Infusion, MeasureResponse, Patient
from care.progress import Progress, split
from server.templating import make_templates
from tests.care.conftest import sign_in

# The template's SVG before it moved to Python (templates/care/_progress_chart.html), kept as the reference.
JINJA_SVG = """\
    <svg viewBox="0 0 {{ geometry.width }} {{ geometry.height }}" role="img" aria-labelledby="chart-title chart-desc" class="chart-svg">
      <title id="chart-title">PHQ-9 and GAD-7 scores over the course</title>
      <desc id="chart-desc">Lower is better. Shaded bands show PHQ-9 severity; vertical lines mark infusions. The same scores are listed below.</desc>
      {% for band in geometry.bands %}<rect class="band {{ band.css }}" x="36" y="{{ '%.1f'|format(band.y) }}" width="{{ geometry.width - 48 }}" height="{{ '%.1f'|format(band.height) }}"><title>PHQ-9 {{ band.label }}</title></rect>{% endfor %}
      {% for y, label in geometry.ticks %}<text class="tick" x="30" y="{{ '%.1f'|format(y + 4) }}" text-anchor="end">{{ label }}</text>{% endfor %}
      {% for m in geometry.markers %}<line class="marker" x1="{{ '%.1f'|format(m.x) }}" x2="{{ '%.1f'|format(m.x) }}" y1="12" y2="{{ geometry.height - 34 }}"><title>{{ m.title }}</title></line><text class="marker-label" x="{{ '%.1f'|format(m.x) }}" y="{{ geometry.height - 20 }}" text-anchor="middle">{{ m.label }}</text>{% endfor %}
      {% if geometry.baseline_y is not none %}<line class="baseline" x1="36" x2="{{ geometry.width - 12 }}" y1="{{ '%.1f'|format(geometry.baseline_y) }}" y2="{{ '%.1f'|format(geometry.baseline_y) }}"><title>PHQ-9 baseline</title></line>{% endif %}
      {% for s in geometry.series %}{% if s.points %}
      <polyline class="line {{ s.css }}" points="{{ s.polyline }}"/>
      {% for p in s.points %}<circle class="dot {{ s.css }}" cx="{{ '%.1f'|format(p.x) }}" cy="{{ '%.1f'|format(p.y) }}" r="4"><title>{{ p.label }}</title></circle>{% if p.retake %}<circle class="retake-ring {{ s.css }}" cx="{{ '%.1f'|format(p.x) }}" cy="{{ '%.1f'|format(p.y) }}" r="7.5"/>{% endif %}{% endfor %}
      {% endif %}{% endfor %}
      <text class="axis-label" x="{{ geometry.width - 12 }}" y="{{ geometry.height - 4 }}" text-anchor="end">infusion number →</text>
    </svg>
"""  # noqa: E501
REFERENCE = make_templates().env.from_string(JINJA_SVG)


def _as_jinja_drew_it(geometry: chart.ChartGeometry) -> str:
    return REFERENCE.render(geometry=geometry)


def _now_drawn(geometry: chart.ChartGeometry) -> str:
    return f"    {geometry.svg}"  # as the template places it (a string template drops its last newline)


@dataclass
class Score:
    id: int
    instrument: str
    total: int
    severity: str
    taken_at: datetime


@dataclass
class Session:
    number: int
    scheduled_at: datetime


START = datetime(2026, 3, 1, 12, tzinfo=UTC)  # the next day in Auckland
SCORES = st.lists(
    st.tuples(
        st.sampled_from(["PHQ9", "GAD7"]),
        st.integers(0, 27),
        st.text(max_size=8),  # severity words, escaped like any text: <, &, quotes
        st.integers(0, 400 * 24 * 60),
    ),
    max_size=8,
)


def _progress(scores: list[tuple], sessions: list[int], tz: str = "UTC") -> Progress:
    measures = [
        Score(n, instrument, total, severity, START + timedelta(minutes=minutes))
        for n, (instrument, total, severity, minutes) in enumerate(sorted(scores, key=lambda s: s[3]), start=1)
    ]
    infusions = [Session(n, START + timedelta(days=d)) for n, d in enumerate(sorted(sessions), start=1)]
    return split(Patient(id=1), measures, infusions, tz)  # type: ignore[arg-type]


@hsettings(deadline=None)
@given(
    scores=SCORES,
    sessions=st.lists(st.integers(0, 400), max_size=6),
    tz=st.sampled_from(["UTC", "America/Denver", "Pacific/Auckland"]),
)
def test_the_python_svg_is_byte_for_byte_the_template_one(scores, sessions, tz):
    geometry = chart.geometry(_progress(scores, sessions, tz), tz)
    if not geometry.empty:
        assert _now_drawn(geometry) == _as_jinja_drew_it(geometry)


async def test_the_demo_patients_charts_are_drawn_as_before(demo):
    drawn = 0
    for patient in await Patient.all():
        measures = await MeasureResponse.filter(patient_id=patient.id).order_by("taken_at", "id")
        infusions = await Infusion.filter(course__patient_id=patient.id, started_at__isnull=False).order_by("id")
        geometry = chart.geometry(split(patient, measures, infusions, "America/Denver"), "America/Denver")
        if not geometry.empty:
            assert _now_drawn(geometry) == _as_jinja_drew_it(geometry)
            drawn += 1
    assert drawn >= 2


def test_whatever_the_chart_shows_changes_draws_it_anew():
    scores = [("PHQ9", 18, "moderately severe", 0), ("GAD7", 12, "moderate", 60), ("PHQ9", 12, "moderate", 20_000)]
    before = chart.geometry(_progress(scores, [1, 8]), "UTC")
    assert chart.geometry(_progress(scores, [1, 8]), "UTC") is before  # the same chart: drawn once
    changed = {
        "a new score": [*scores, ("PHQ9", 7, "mild", 40_000)],
        "a retake the same day": [*scores, ("PHQ9", 9, "mild", 20_010)],
        "an earlier score edited": [("PHQ9", 17, "moderately severe", 0), *scores[1:]],
        "an earlier score struck": scores[1:],
        "a score's time corrected": [("PHQ9", 18, "moderately severe", 30), *scores[1:]],
    }
    for what, now in changed.items():
        assert chart.geometry(_progress(now, [1, 8]), "UTC").svg != before.svg, what
    assert chart.geometry(_progress(scores, [1, 8, 15]), "UTC").svg != before.svg  # another session
    assert chart.geometry(_progress(scores, [1, 8]), "Pacific/Auckland").svg != before.svg  # other dates shown


async def test_a_new_score_shows_on_the_patients_own_chart(client, demo):
    await sign_in(client, "patient@demo.clinic")
    before = (await client.get("/me/progress")).text
    patient = await Patient.get(user__email="patient@demo.clinic")
    latest = await MeasureResponse.filter(patient_id=patient.id, instrument="PHQ9").order_by("-taken_at").first()
    assert latest is not None
    await MeasureResponse.create(
        clinic_id=patient.clinic_id,
        patient_id=patient.id,
        instrument="PHQ9",
        total=2,
        severity="minimal",
        taken_at=latest.taken_at + timedelta(days=2),
        source="self_report",
    )
    after = (await client.get("/me/progress")).text
    assert after.count('<circle class="dot phq9"') == before.count('<circle class="dot phq9"') + 1
    assert "PHQ-9 2 (minimal)" in after and "PHQ-9 2 (minimal)" not in before
