"""The PHQ-9 / GAD-7 progress series, and how it is put to a patient in plain words.

A retake on the same day (in the clinic's time zone) is one point: the day's last score. An earlier score that day
is kept in the record (and listed, marked as retaken) but never plotted as its own point, and never changes the
baseline, the latest score or whether the drop counts as a response or remission. A retake minutes later is
usually a correction ("I misread question 4"), and the day's last answer is the one the person settled on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from care.clinical import REMISSION_BELOW, RESPONSE_DROP
from care.models import Infusion, Instrument, MeasureResponse, Patient


@dataclass
class Progress:
    patient: Patient
    phq9: list[MeasureResponse]  # one per day: the day's last score, oldest first
    gad7: list[MeasureResponse]
    infusions: list[Infusion]
    scores: list[MeasureResponse] = field(default_factory=list)  # every score, retakes too, oldest first
    retaken: set[int] = field(default_factory=set)  # ids of scores replaced by a later one the same day
    retakes: dict[int, int] = field(default_factory=dict)  # a day's last score id → how many earlier that day

    @property
    def baseline(self) -> int | None:
        return self.phq9[0].total if self.phq9 else None

    @property
    def latest(self) -> int | None:
        return self.phq9[-1].total if self.phq9 else None

    @property
    def response(self) -> bool:
        """>= 50% drop in PHQ-9 from baseline."""
        return bool(self.baseline and self.latest is not None and self.latest <= self.baseline * (1 - RESPONSE_DROP))

    @property
    def remission(self) -> bool:
        return self.latest is not None and len(self.phq9) > 1 and self.latest < REMISSION_BELOW


def split(patient: Patient, measures: list[MeasureResponse], infusions: list[Infusion], tz: str = "UTC") -> Progress:
    """The series from measures in time order: PHQ-9 and GAD-7 one point per day (its last score)."""
    zone = ZoneInfo(tz)
    scores = [m for m in measures if m.instrument in (Instrument.PHQ9, Instrument.GAD7)]
    last: dict[tuple[str, object], MeasureResponse] = {}
    earlier: dict[tuple[str, object], int] = {}
    for m in scores:
        key = (str(m.instrument), m.taken_at.astimezone(zone).date())
        if key in last:
            earlier[key] = earlier.get(key, 0) + 1
        last[key] = m
    kept = {m.id for m in last.values()}
    return Progress(
        patient,
        [m for m in scores if m.instrument == Instrument.PHQ9 and m.id in kept],
        [m for m in scores if m.instrument == Instrument.GAD7 and m.id in kept],
        infusions,
        scores,
        {m.id for m in scores if m.id not in kept},
        {last[key].id: count for key, count in earlier.items()},
    )


PHQ9_WORDS = "PHQ-9 (the mood questionnaire)"
FRACTIONS = (
    (0.2, "less than a quarter"),
    (0.3, "about a quarter"),
    (0.4, "about a third"),
    (0.6, "about half"),
    (0.7, "about two-thirds"),
    (0.85, "about three-quarters"),
    (1.0, "a little lower"),
)


def _portion(first: int, last: int) -> str:
    ratio = last / first
    return next(words for limit, words in FRACTIONS if ratio < limit or limit == 1.0)


def summary(progress: Progress) -> list[str]:
    """What the patient's scores say, in a sentence or three, without clinic words ("response", "item 9")."""
    first, last = progress.baseline, progress.latest
    if first is None or last is None:
        return []
    if len(progress.phq9) == 1:
        return [
            f"Your first {PHQ9_WORDS} score is {first} ({progress.phq9[0].severity}). Lower scores mean fewer "
            "symptoms; answering again before each session shows how things change."
        ]
    lines = []
    if last < first:
        lines.append(f"Your PHQ-9 went from {first} to {last} — {_portion(first, last)} of where you started.")
    elif last > first:
        lines.append(
            f"Your PHQ-9 went from {first} to {last}: higher than when you started. Scores go up and down; "
            "it is worth talking over with your care team at your next session."
        )
    else:
        lines.append(f"Your PHQ-9 is {last}, the same as when you started.")
    lines.append(f"{last} is in the {progress.phq9[-1].severity} range (lower means fewer symptoms).")
    if progress.remission:
        lines.append("Under 5 is the lowest range there is.")
    elif progress.response:
        lines.append("A drop of half or more is a big change.")
    return lines
