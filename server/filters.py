"""Filters the templates use to show times and dates in the clinic's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def when(value: datetime | None, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%a %-d %b %Y, %H:%M") if value else ""


def day(value: datetime | date | None, tz: str = "UTC") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tz))
    return value.strftime("%-d %b %Y")


def clock(value: datetime | None, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%H:%M") if value else ""
