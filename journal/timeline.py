"""How the patient's journal list reads: a timeline grouped by day (each day once, newest first), each entry with its
title (its first line when it has none), a snippet, its mood and its session, and search matches highlighted.

Highlighting is done here with markupsafe: every piece of the patient's text is escaped, and only the <mark> tags
around matches are markup, so the template prints the result without `|safe`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from journal.models import JournalEntry, Kind

TITLE_LENGTH = 80  # a title made from the first line stops near here, at a word
SNIPPET_LENGTH = 160
MARKDOWN_LEAD = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|>\s*|\d+[.)]\s+)*")
SENTENCE_END = re.compile(r"(?<=[.!?…。！？])\s")
SPACES = re.compile(r"\s+")


def _texts(entry: JournalEntry) -> list[str]:
    """The entry's own words in reading order: the answers (in the order of their questions), then the body."""
    order = [p["key"] for p in entry.prompts] + [k for k in entry.answers if k not in {p["key"] for p in entry.prompts}]
    answers = [entry.answers[k] for k in order if entry.answers.get(k, "").strip()]
    return [*answers, entry.body] if entry.body.strip() else answers


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",;:.- ") + "…"


def fallback_title(entry: JournalEntry) -> str:
    if entry.infusion_id and entry.kind == Kind.POST_SESSION and entry.infusion:
        return f"After session {entry.infusion.number}"
    return {Kind.CHECK_IN: "Check-in", Kind.INTENTION: "Intention"}.get(entry.kind, "Journal entry")


def first_line(entry: JournalEntry) -> str:
    """The first line the patient wrote (its first sentence, when the line runs on), without Markdown's heading or
    list marks, shortened at a word."""
    for text in _texts(entry):
        for line in text.splitlines():
            plain = MARKDOWN_LEAD.sub("", line).strip().strip("*_")
            if plain:
                return _shorten(SENTENCE_END.split(plain, maxsplit=1)[0], TITLE_LENGTH)
    return ""


def title_of(entry: JournalEntry) -> str:
    """The entry's title: the one the patient gave, else the prompt it answers, else its first line, else what kind
    of entry it is."""
    return entry.title.strip() or entry.prompt_text or first_line(entry) or fallback_title(entry)


def highlight(text: str, query: str) -> Markup:
    """`text` escaped, with each case-insensitive occurrence of `query` wrapped in <mark>."""
    if not query:
        return escape(text)
    out, at = Markup(), 0
    for match in re.finditer(re.escape(query), text, re.IGNORECASE):
        out += escape(text[at : match.start()]) + Markup("<mark>") + escape(match.group()) + Markup("</mark>")
        at = match.end()
    return out + escape(text[at:])


def snippet(entry: JournalEntry, query: str = "") -> str:
    """A line or two of the entry: from its start (after the line its title came from), or around the first match."""
    whole = SPACES.sub(" ", " ".join(_texts(entry))).strip()
    lead = (entry.title.strip() or first_line(entry)).removesuffix("…")
    if whole.casefold().startswith(lead.casefold()):  # the title is the first line: the snippet goes on from there
        whole = whole[len(lead) :].lstrip(" .,;:-")
    found = whole.casefold().find(query.casefold()) if query else -1
    if found > SNIPPET_LENGTH // 2:
        start = whole.rfind(" ", 0, found - SNIPPET_LENGTH // 3) + 1
        return "…" + _shorten(whole[start:], SNIPPET_LENGTH)
    return _shorten(whole, SNIPPET_LENGTH)


@dataclass
class Row:
    entry: JournalEntry
    title: Markup
    snippet: Markup
    time: str
    session: int | None


@dataclass
class Day:
    key: str  # ISO date in the clinic's time zone
    label: str
    rows: list[Row] = field(default_factory=list)
    continued: bool = False  # the same day as the last one on the page before ("Older entries"): no heading again


def local_day(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).date().isoformat()


def _day_label(day: date, today: date) -> str:
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    return f"{day:%A} {day.day} {day:%B %Y}"


def days(entries: list[JournalEntry], tz: str, now: datetime, query: str = "", after_day: str = "") -> list[Day]:
    """Entries (newest first) grouped by the day they were written, each day once. `after_day` is the last day the
    page already shows, so the next page of older entries continues it without a second heading."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    grouped: list[Day] = []
    for entry in entries:
        local = entry.created_at.astimezone(zone)
        key = local.date().isoformat()
        if not grouped or grouped[-1].key != key:
            grouped.append(Day(key, _day_label(local.date(), today), continued=not grouped and key == after_day))
        session = entry.infusion.number if entry.infusion_id and entry.infusion else None
        grouped[-1].rows.append(
            Row(
                entry,
                highlight(title_of(entry), query),
                highlight(snippet(entry, query), query),
                f"{local:%H:%M}",
                session,
            )
        )
    return grouped
