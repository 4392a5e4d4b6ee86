"""The safety net: a screen for crisis language in what a patient writes.

It never blocks a save. A match shows the patient crisis resources at once (988, 911 and the clinic's own numbers,
all tappable) with words that say what will actually happen: a private entry alerts nobody unless the patient
presses "Let my care team know"; a shared one raises one risk alert for the care team (journal/alerts.py). Nobody
watches in real time, and the UI never says otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from care.clinic_settings import ClinicSettings, dial
from server.models import Clinic

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


@dataclass(frozen=True)
class Number:
    shown: str  # as the clinic wrote it: "+1 555 0100"
    dial: str  # for tel:/sms: links: "+15550100"


@dataclass(frozen=True)
class Resources:
    """Where help is, for the crisis panel: 988 and 911 are fixed (US); the clinic's numbers and words come from
    its settings (each None or empty when the clinic has not set it)."""

    clinic_name: str
    phone: Number | None
    sms: Number | None
    text: str


def resources(clinic: Clinic) -> Resources:
    settings = ClinicSettings.of(clinic)
    phone, sms = (Number(n, dial(n)) if n else None for n in (settings.crisis_phone, settings.crisis_sms))
    return Resources(clinic.name, phone, sms, settings.crisis_text)
