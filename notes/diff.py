"""What changed between two versions of a note, field by field and word by word, for the supervisor about to
co-sign. Pure functions over a note's content; the template escapes every piece (no markup is built here)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from notes.content import INTEGRATION, NARRATIVE, text_fields

SAME, REMOVED, ADDED = "same", "removed", "added"
Piece = tuple[str, str]  # (SAME | REMOVED | ADDED, text)
TOKENS = re.compile(r"\s+|\S+")  # words and the spaces between them, so the text reads back exactly
LABELS = dict(INTEGRATION) | {key: label for sections in NARRATIVE.values() for key, label in sections}


@dataclass(frozen=True)
class FieldChange:
    label: str
    pieces: tuple[Piece, ...]

    @property
    def changed(self) -> bool:
        return any(kind != SAME for kind, _ in self.pieces)


def words(before: str, after: str) -> tuple[Piece, ...]:
    """`before` → `after` as runs of kept, removed and added text. Changes separated only by spaces read as one
    change ("the lake" → "a safety plan"), each removal before the addition that replaces it."""
    old, new = TOKENS.findall(before), TOKENS.findall(after)
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    runs: list[tuple[bool, list[str], list[str]]] = []  # (kept?, old tokens, new tokens)
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        glue = op == "equal" and 0 < n < len(opcodes) - 1 and not "".join(old[i1:i2]).strip()
        if op == "equal" and not glue:
            runs.append((True, old[i1:i2], []))
        elif runs and not runs[-1][0]:
            runs[-1][1].extend(old[i1:i2])
            runs[-1][2].extend(new[j1:j2])
        else:
            runs.append((False, old[i1:i2], new[j1:j2]))
    pieces: list[Piece] = []
    for kept, removed, added in runs:
        if kept:
            pieces.append((SAME, "".join(removed)))
            continue
        pieces += [(kind, "".join(text)) for kind, text in ((REMOVED, removed), (ADDED, added)) if text]
    return tuple(pieces)


def readable(content: Mapping[str, Any], shared_summary: str, fmt: str = "DAP") -> dict[str, str]:
    """A note's content as labelled plain text, in reading order: the sections of its format, any other format's
    sections, then the structured parts."""
    order = dict(text_fields(fmt)) | LABELS
    fields = {label: str(content.get(key) or "") for key, label in order.items()}
    risk = content.get("risk") or {}
    fields["Domains"] = ", ".join(content.get("domains") or [])
    others = [content["interventions_other"]] if content.get("interventions_other") else []
    fields["Interventions"] = ", ".join([*(content.get("interventions") or []), *others])
    fields["Risk"] = (
        "; ".join(
            [
                f"ideation {risk['ideation']}",
                f"intent {'yes' if risk.get('intent') else 'no'}",
                f"access to means {'yes' if risk.get('access_to_means') else 'no'}",
                f"safety plan {'reviewed' if risk.get('safety_plan_reviewed') else 'not reviewed'}",
                f"protective factors: {risk.get('protective_factors') or 'none recorded'}",
            ]
        )
        if risk.get("ideation")
        else ""
    )
    fields["Practices assigned"] = "\n".join(content.get("practices") or [])
    fields["Summary for the patient"] = shared_summary
    return fields


def changes(before: dict[str, str] | None, after: dict[str, str]) -> list[FieldChange]:
    """Every field either version fills, `after` compared with `before` (None: nothing seen, all of it is new)."""
    seen = before or {}
    return [
        FieldChange(label, words(seen.get(label, ""), text))
        for label, text in after.items()
        if text.strip() or seen.get(label, "").strip()
    ]
