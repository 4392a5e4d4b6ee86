"""Reading the journal editor's form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from journal.checkin import CHIPS, MAX_SLEEP_HOURS
from journal.models import Kind
from journal.prompts import GUIDED
from journal.service import Draft
from server.forms import Form
from server.web import LONGEST_TEXT

# An entry holds up to 50,000 characters, counted as Unicode code points after decoding (Python's len), whatever
# the script: 50,000 Chinese characters, Cyrillic letters or emoji fit as well as 50,000 Latin ones. An emoji that
# is one code point (🌊) counts one; one built of several (👩‍👧: woman, joiner, girl; a flag: two letters) counts
# each of them, as most editors' counters do. Line breaks count one each: browsers send a typed line break as
# CR LF, which is turned back into the single LF that was typed before counting.
MAX_BODY = LONGEST_TEXT
MAX_ANSWER = 10_000
SCALES = ("mood", "anxiety", "energy", "sleep")
DRAFT_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SITTING = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # one editor page load (journal/versions.py); "" for none


def typed(value: Any) -> str:
    """A text box's words as the person typed them: the browser's CR LF line breaks back to one LF each."""
    return str(value).replace("\r\n", "\n")


def parse_draft(data: Mapping[str, Any]) -> tuple[Draft | None, Form]:
    f = Form(data)
    kind = f.choice("kind", "a kind of entry", [k.value for k in Kind]) or Kind.FREE
    raw_body = typed(data.get("body", ""))
    f.values["body"] = raw_body  # kept exactly as typed, spaces and all
    if len(raw_body) > MAX_BODY:
        f.errors["body"] = (
            f"This entry is over {MAX_BODY:,} characters ({len(raw_body):,}), so it was not saved. Your text is"
            " still here: move some of it into a new entry."
        )
    answers = {}
    for key, _question in GUIDED.get(kind, ()):
        text = typed(data.get(f"answer_{key}", ""))
        f.values[f"answer_{key}"] = text
        if len(text) > MAX_ANSWER:
            f.errors[f"answer_{key}"] = f"Keep each answer under {MAX_ANSWER:,} characters."
        if text.strip():
            answers[key] = text
    scales: dict[str, Any] = {name: f.integer(name, name, 0, 10, required=False) for name in SCALES}
    scales.update(_check_in(data, f))
    title = f.text("title", "a title", max_len=200)
    version = f.integer("version", "the version", 0, 10**9)
    infusion_id = f.integer("infusion_id", "the session", 1, 2**31 - 1, required=False)
    draft_key = f.text("draft_key", "the draft key", required=True, max_len=64)
    if draft_key and not DRAFT_KEY.match(draft_key):
        f.errors["draft_key"] = "Reload the page and try again."
    shared = f.check("shared")
    prompt_ref = f.text("prompt_ref", "the prompt", max_len=40)
    sitting = f.text("sitting", "the sitting", max_len=64)
    if f.errors:
        return None, f
    draft = Draft(
        draft_key=draft_key,
        version=version or 0,
        kind=kind,
        infusion_id=infusion_id,
        prompt_ref=prompt_ref,
        title=title,
        answers=answers,
        body=raw_body,
        scales=scales,
        shared=shared,
        share_from_editor=f.check("share_control"),
        sitting=sitting if SITTING.match(sitting) else "",
    )
    return draft, f


def _check_in(data: Mapping[str, Any], f: Form) -> dict[str, Any]:
    """The check-in's 5-point mood, chips (unknown ones dropped: they can only come from an old or forged page) and
    hours slept, to the half hour."""
    mood5 = f.integer("mood5", "your mood", 1, 5, required=False)
    getlist = getattr(data, "getlist", None)
    sent = getlist("tags") if getlist else [data.get("tags")] if data.get("tags") else []
    tags = [t for t in dict.fromkeys(str(t) for t in sent) if t in CHIPS]
    f.values["tags"] = tags
    hours = f.decimal("sleep_hours", "hours slept", Decimal(0), Decimal(MAX_SLEEP_HOURS), required=False, unit=" hours")
    return {
        "mood5": mood5,
        "tags": tags or None,
        "sleep_hours": float(round(hours * 2) / 2) if hours is not None else None,
    }
