"""The safety net: a screen for crisis language in what a patient writes.

It never blocks a save. A match shows the patient crisis resources at once, and when the entry is shared (now or
later) raises one risk alert for the care team. Nobody watches in real time, and the UI never says otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

PHRASES_FILE = Path(__file__).with_name("crisis_phrases.txt")


def fold(text: str) -> str:
    """Lower-case, drop apostrophes, turn other punctuation into spaces, collapse spacing: "I can't  go ON" ->
    "i cant go on"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"['’‘`´]", "", text)
    text = re.sub(r"[^\w]+", " ", text)
    return f" {' '.join(text.split())} "


@lru_cache(maxsize=1)
def phrases() -> tuple[str, ...]:
    lines = PHRASES_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(fold(line).strip() for line in lines if line.strip() and not line.startswith("#"))


def matches(*texts: str) -> list[str]:
    """The crisis phrases found in the texts (whole words only)."""
    folded = fold(" \n ".join(texts))
    return [p for p in phrases() if f" {p} " in folded]
