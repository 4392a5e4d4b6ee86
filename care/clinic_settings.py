"""One clinic's settings: the one place that knows each setting's default, range and meaning.

Stored as JSON on the clinic row (`Clinic.settings`); read with `ClinicSettings.of(clinic)`, which falls back to a
setting's default when a stored value is missing or out of range, so a bad value never breaks a page. The admin page
(oversight/clinic_settings.py) validates through the same fields. docs/settings.md lists every field with its
default and range (tested against this class).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from server.models import Clinic

PROMPT_HOURS_MAX = 24 * 60  # a scheduled prompt at most 60 days after a session
PHONE_PROBLEM = "Write a phone number with digits, spaces and + ( ) - only, like +1 555 0100."


def is_phone(number: str) -> bool:
    """A number a phone can dial from a tel: or sms: link: digits with the usual separators, at least three digits."""
    return bool(re.fullmatch(r"[0-9+() .-]+", number.strip())) and sum(c.isdigit() for c in number) >= 3


def dial(number: str) -> str:
    """The number as a tel:/sms: link wants it: "+1 (555) 010-0" -> "+15550100"."""
    return re.sub(r"[^0-9+]", "", number)


class ClinicSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    # Progress notes are expected signed within 24–72 h of the session; 72 h unless the clinic chooses otherwise.
    note_signing_hours: int = Field(
        72,
        ge=1,
        le=336,
        title="the signing window (hours)",
        description="Hours after a session by which its integration note is due signed.",
    )
    escalation_hours: int = Field(
        24,
        ge=1,
        le=168,
        title="the escalation window (hours)",
        description="Hours an unacknowledged risk alert waits before it is escalated to supervisors.",
    )
    escalation_hours_cssrs_high: int = Field(
        1,
        ge=1,
        le=24,
        title="the C-SSRS high-risk window",
        description="Hours before an unacknowledged high-risk C-SSRS alert (yes to Q4, Q5 or recent Q6) escalates.",
    )
    # Prompts at +2 h, 24 h, 72 h and one week after a session, the usual post-session integration check-ins.
    prompt_schedule_hours: tuple[int, ...] = Field(
        (2, 24, 72, 168),
        min_length=1,
        max_length=12,
        title="the prompt schedule",
        description="Hours after a session when the patient's journal offers a prompt to write.",
    )
    crisis_phone: str = Field(
        "",
        max_length=40,
        title="the clinic's crisis phone",
        description="The clinic's phone number for patients in crisis, a call link in the journal's crisis panel.",
    )
    crisis_sms: str = Field(
        "",
        max_length=40,
        title="the clinic's crisis text number",
        description="A number patients can text (SMS) in a crisis, a tappable text link in the journal's crisis panel.",
    )
    crisis_text: str = Field(
        "",
        max_length=1000,
        title="the crisis resources text",
        description="Local crisis resources in the clinic's words, shown under the numbers in the crisis panel.",
    )

    # What every ketamine clinic asks of a patient before a dosing session (fasting, an escort home, no driving until
    # the next day); each clinic words its own.
    preparation_checklist: tuple[str, ...] = Field(
        (
            "Nothing to eat for four hours before your session, and only clear drinks until two hours before.",
            "Someone to take you home afterwards: you can't leave on your own.",
            "No driving, cycling or operating machinery until the next day.",
            "Bring a list of any medicines you have started or stopped, and something comfortable to wear.",
        ),
        min_length=1,
        max_length=12,
        title="the preparation checklist",
        description="What a patient is asked to do before a dosing session, shown with their next session.",
    )
    calendar_title: str = Field(
        "Appointment",
        min_length=1,
        max_length=60,
        title="the title of calendar invitations",
        description="The neutral title calendar invitations carry (never the treatment or the clinic's specialty).",
    )
    # In a ketamine clinic the dose is given and monitored by medical staff; some clinics also let the therapist in
    # the room take readings.
    therapists_record_vitals: bool = Field(
        False,
        title="therapists record vital signs",
        description="Whether care-team therapists may add vital signs to an infusion (medical staff always may).",
    )
    # Multi-factor sign-in is what the HIPAA Security Rule expects for systems holding ePHI: on for a new clinic.
    staff_two_factor: bool = Field(
        True,
        title="staff must use two factors",
        description="Whether staff (all but patients) must set up a second factor (an authenticator app) before they"
        " reach any other page; patients may choose to.",
    )

    @field_validator("preparation_checklist")
    @classmethod
    def _lines(cls, lines: tuple[str, ...]) -> tuple[str, ...]:
        kept = tuple(line.strip() for line in lines if line.strip())
        if not kept or any(len(line) > 200 for line in kept):
            raise ValueError("each line must have 1 to 200 characters")
        return kept

    @field_validator("crisis_phone", "crisis_sms")
    @classmethod
    def _phone(cls, number: str) -> str:
        if number and not is_phone(number):
            raise ValueError(PHONE_PROBLEM)
        return number.strip()

    @field_validator("prompt_schedule_hours")
    @classmethod
    def _hours(cls, hours: tuple[int, ...]) -> tuple[int, ...]:
        if not all(0 < h <= PROMPT_HOURS_MAX for h in hours):
            raise ValueError(f"each hour must be between 1 and {PROMPT_HOURS_MAX}")
        return tuple(sorted(set(hours)))

    @classmethod
    def of(cls, clinic: Clinic) -> ClinicSettings:
        """The clinic's settings, each stored value that is missing or invalid replaced by its default."""
        return cls.lenient(clinic.settings or {})

    @classmethod
    def lenient(cls, stored: Mapping[str, Any]) -> ClinicSettings:
        values = {k: v for k, v in stored.items() if k in cls.model_fields}
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            return cls.model_validate({k: v for k, v in values.items() if k not in bad})

    def stored(self) -> dict[str, Any]:
        """The JSON kept on the clinic row."""
        return self.model_dump(mode="json")


def staff_two_factor(clinic: Clinic) -> bool:
    """Whether the clinic asks its staff to use two factors: asked on every request of a staff account without one
    (server/gate.py), so read straight from the stored value, without validating the rest of the settings."""
    stored = (clinic.settings or {}).get("staff_two_factor")
    return stored if isinstance(stored, bool) else bool(ClinicSettings.model_fields["staff_two_factor"].default)


def limits(name: str) -> tuple[int, int]:
    """A numeric setting's range, for forms and docs."""
    lo = hi = None
    for meta in ClinicSettings.model_fields[name].metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    assert lo is not None and hi is not None, name
    return lo, hi


def label(name: str) -> str:
    return ClinicSettings.model_fields[name].title or name


def documented() -> list[str]:
    """docs/settings.md's table of clinic settings, one Markdown row per field (a test keeps the doc equal to it)."""
    rows = []
    for name, field in ClinicSettings.model_fields.items():
        default = field.default
        shown = ", ".join(map(str, default)) if isinstance(default, tuple) else (str(default) if default != "" else "—")
        if name == "prompt_schedule_hours":
            allowed = f"1 to 12 hours, each 1–{PROMPT_HOURS_MAX}"
        elif name == "preparation_checklist":
            shown = " / ".join(default)
            allowed = "1 to 12 lines, each up to 200 characters"
        elif field.annotation is bool:
            shown, allowed = ("on" if default else "off"), "on or off"
        elif field.annotation is int:
            lo, hi = limits(name)
            allowed = f"{lo}–{hi}"
        else:
            allowed = f"up to {max_length(name)} characters"
        rows.append(f"| `{name}` | {shown} | {allowed} | {field.description} |")
    return rows


def max_length(name: str) -> int:
    """A text setting's longest allowed value."""
    return next(m.max_length for m in ClinicSettings.model_fields[name].metadata if hasattr(m, "max_length"))
