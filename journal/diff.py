"""What changed between two versions of an entry, word by word, for the history page (plain data: the template
marks insertions and deletions, and autoescapes every word)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from journal.checkin import CHIPS, MOOD_WORDS, SCALE_LABELS, hours

TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Change:
    label: str
    parts: list[tuple[str, str]]  # ("same" | "added" | "removed", text), in reading order


def words(old: str, new: str) -> list[tuple[str, str]]:
    """`old` → `new` as runs of kept, removed and added words (spacing kept)."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("added", "".join(b[j1:j2])))
    return parts


def _shown(name: str, value: Any) -> str:
    if value is None or value == []:
        return "—"
    if name == "mood5":
        return f"{MOOD_WORDS[value]} ({value} of 5)"
    if name == "tags":
        return ", ".join(CHIPS.get(t, t) for t in value)
    if name == "sleep_hours":
        return f"{hours(value)} h"
    return f"{value}/10"


SETTINGS = (*SCALE_LABELS.items(), ("mood5", "Check-in mood"), ("tags", "Chips"), ("sleep_hours", "Hours slept"))


def changes(old: dict[str, Any], new: dict[str, Any], questions: dict[str, str]) -> list[Change]:
    """Every field that differs between two versions' contents (versions.content), texts word by word."""
    found = []
    texts = [("title", "Title"), *((f"answer:{k}", q) for k, q in questions.items()), ("body", "Text")]
    for key, label in texts:
        before, after = _text(old, key), _text(new, key)
        if before != after:
            found.append(Change(label, words(before, after)))
    for name, label in SETTINGS:
        if old.get(name) != new.get(name):
            found.append(
                Change(label, [("removed", _shown(name, old.get(name))), ("added", _shown(name, new.get(name)))])
            )
    return found


def _text(content: dict[str, Any], key: str) -> str:
    if key.startswith("answer:"):
        return str((content.get("answers") or {}).get(key[7:], ""))
    return str(content.get(key) or "")
