"""The 10-second check-in's words: a 5-point mood with faces and words, feeling and activity chips, hours slept; and
the labelled ends every 0–10 scale in the editor shows, so no number has to be guessed at."""

from __future__ import annotations

from typing import Any

# 1 … 5, each a face and a word; the two ends are named on the scale itself ("1 awful … 5 great"), Daylio-style.
MOODS = ((1, "😞", "Awful"), (2, "😔", "Low"), (3, "😐", "Okay"), (4, "😊", "Good"), (5, "😄", "Great"))
MOOD_WORDS = {n: word for n, _face, word in MOODS}
MOOD_FACES = {n: face for n, face, _word in MOODS}

FEELINGS = (
    ("calm", "Calm"),
    ("hopeful", "Hopeful"),
    ("grateful", "Grateful"),
    ("connected", "Connected"),
    ("tired", "Tired"),
    ("anxious", "Anxious"),
    ("sad", "Sad"),
    ("irritable", "Irritable"),
)
ACTIVITIES = (
    ("walk", "A walk"),
    ("outdoors", "Time outdoors"),
    ("people", "Saw people"),
    ("exercise", "Exercise"),
    ("meditation", "Meditation"),
    ("creative", "Something creative"),
    ("work", "Work"),
    ("rest", "Rest"),
)
CHIPS = dict(FEELINGS + ACTIVITIES)
MAX_SLEEP_HOURS = 24

# The 0–10 scales' ends, shown beside each select and in each option's words: "0 very low … 10 very good".
SCALE_ENDS = {
    "mood": ("very low", "very good"),
    "anxiety": ("calm", "very anxious"),
    "energy": ("exhausted", "full of energy"),
    "sleep": ("very poor", "very good"),
}
SCALE_LABELS = {"mood": "Mood", "anxiety": "Anxiety", "energy": "Energy", "sleep": "Sleep"}


def summary(entry: Any) -> list[str]:
    """A check-in as a few words for lists, exports and history: "Mood: Good (4 of 5)", "Slept 7.5 h", chips."""
    parts = []
    if entry.mood5 is not None:
        parts.append(f"Mood: {MOOD_WORDS[entry.mood5]} ({entry.mood5} of 5)")
    if entry.sleep_hours is not None:
        parts.append(f"Slept {hours(entry.sleep_hours)} h")
    parts += [CHIPS[t] for t in entry.tags or () if t in CHIPS]
    return parts


def hours(value: float) -> str:
    """7.0 -> "7", 7.5 -> "7.5"."""
    return f"{value:g}"
