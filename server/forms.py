"""Small form reader: turns submitted strings into typed values, one message per bad field, input kept as typed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from server.errors import Invalid

EARLIEST = date(2000, 1, 1)


class Form:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.raw = data
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def _get(self, name: str) -> str:
        value = str(self.raw.get(name, "") or "").strip()
        self.values[name] = value
        return value

    def _fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, label: str, *, required: bool = False, max_len: int = 200) -> str:
        value = self._get(name)
        if required and not value:
            self._fail(name, f"Enter {label}.")
        elif len(value) > max_len:
            self._fail(name, f"Use at most {max_len} characters.")
        return value

    def integer(self, name: str, label: str, lo: int, hi: int, *, required: bool = True) -> int | None:
        value = self._get(name)
        if not value:
            if required:
                self._fail(name, f"Enter {label}.")
            return None
        try:
            number = int(value)
        except ValueError:
            self._fail(name, f"Enter {label} as a whole number.")
            return None
        if not lo <= number <= hi:
            self._fail(name, f"{_cap(label)} must be between {lo} and {hi}.")
            return None
        return number

    def decimal(
        self, name: str, label: str, lo: Decimal, hi: Decimal, *, required: bool = True, unit: str = ""
    ) -> Decimal | None:
        value = self._get(name)
        if not value:
            if required:
                self._fail(name, f"Enter {label}.")
            return None
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self._fail(name, f"Enter {label} as a number, like {lo}.")
            return None
        if not lo <= number <= hi:
            self._fail(name, f"{_cap(label)} must be between {lo} and {hi}{unit}.")
            return None
        return number

    def choice(self, name: str, label: str, options: Iterable[str], *, required: bool = True) -> str | None:
        value = self._get(name)
        allowed = list(options)
        if not value and not required:
            return None
        if value not in allowed:
            self._fail(name, f"Choose {label}.")
            return None
        return value

    def check(self, name: str) -> bool:
        value = name in self.raw and str(self.raw.get(name)) not in {"", "0", "off", "false"}
        self.values[name] = value
        return value

    def many(self, name: str, options: Iterable[str]) -> list[str]:
        getlist = getattr(self.raw, "getlist", None)
        chosen = [str(v) for v in (getlist(name) if getlist else self.raw.get(name) or [])]
        allowed = list(options)
        self.values[name] = [c for c in chosen if c in allowed]
        if any(c not in allowed for c in chosen):
            self._fail(name, "Choose only from the list.")
        return self.values[name]

    def date(
        self, name: str, label: str, *, latest: date, earliest: date = EARLIEST, required: bool = True
    ) -> date | None:
        value = self._get(name)
        if not value:
            if required:
                self._fail(name, f"Enter {label}.")
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self._fail(name, f"Enter {label} as a date, like 2026-03-14.")
            return None
        if not earliest <= parsed <= latest:
            self._fail(name, f"{_cap(label)} must be between {earliest:%d %b %Y} and {latest:%d %b %Y}.")
            return None
        return parsed

    def moment(
        self, name: str, label: str, tz: str, *, earliest: datetime, latest: datetime, required: bool = True
    ) -> datetime | None:
        """A datetime-local field read in the clinic's time zone, returned in UTC."""
        value = self._get(name)
        if not value:
            if required:
                self._fail(name, f"Enter {label}.")
            return None
        try:
            parsed = datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
        except ValueError:
            self._fail(name, f"Enter {label} as a date and time.")
            return None
        if not earliest <= parsed <= latest:
            self._fail(name, f"{_cap(label)} must be between {earliest:%d %b %Y} and {latest:%d %b %Y}.")
            return None
        return parsed

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise Invalid(self.errors)


def local_input(value: datetime | None, tz: str) -> str:
    """A stored UTC time as the value of a datetime-local input in the clinic's zone."""
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M") if value else ""


def _cap(label: str) -> str:
    return label[:1].upper() + label[1:]
