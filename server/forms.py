"""Small form reader: turns submitted strings into typed values, one message per bad field, input kept as typed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
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

    def _read(
        self,
        name: str,
        label: str,
        required: bool,
        parse: Callable[[str], Any],
        bad: str,
        lo: Any,
        hi: Any,
        between: str,
    ) -> Any:
        """Empty → None (or "Enter …" when required); unparseable → `bad`; outside lo..hi → "… must be between"."""
        value = self._get(name)
        if not value:
            if required:
                self._fail(name, f"Enter {label}.")
            return None
        try:
            parsed = parse(value)
        except (ValueError, ArithmeticError):
            self._fail(name, bad)
            return None
        if not lo <= parsed <= hi:
            self._fail(name, f"{_cap(label)} must be between {between}.")
            return None
        return parsed

    def integer(self, name: str, label: str, lo: int, hi: int, *, required: bool = True) -> int | None:
        return self._read(name, label, required, int, f"Enter {label} as a whole number.", lo, hi, f"{lo} and {hi}")

    def decimal(
        self, name: str, label: str, lo: Decimal, hi: Decimal, *, required: bool = True, unit: str = ""
    ) -> Decimal | None:
        return self._read(
            name,
            label,
            required,
            _finite_decimal,
            f"Enter {label} as a number, like {lo}.",
            lo,
            hi,
            f"{lo} and {hi}{unit}",
        )

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
        return self._read(
            name,
            label,
            required,
            date.fromisoformat,
            f"Enter {label} as a date, like 2026-03-14.",
            earliest,
            latest,
            f"{earliest:%d %b %Y} and {latest:%d %b %Y}",
        )

    def moment(
        self, name: str, label: str, tz: str, *, earliest: datetime, latest: datetime, required: bool = True
    ) -> datetime | None:
        """A datetime-local field read in the clinic's time zone, returned in UTC."""

        def parse(value: str) -> datetime:
            return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)

        return self._read(
            name,
            label,
            required,
            parse,
            f"Enter {label} as a date and time.",
            earliest,
            latest,
            f"{earliest:%d %b %Y} and {latest:%d %b %Y}",
        )

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise Invalid(self.errors)


def local_input(value: datetime | None, tz: str) -> str:
    """A stored UTC time as the value of a datetime-local input in the clinic's zone."""
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M") if value else ""


def _finite_decimal(value: str) -> Decimal:
    number = Decimal(value.replace(",", "."))  # InvalidOperation is an ArithmeticError
    if not number.is_finite():
        raise ValueError(value)
    return number


def _cap(label: str) -> str:
    return label[:1].upper() + label[1:]
