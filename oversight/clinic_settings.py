"""Clinic settings for admins: note-signing window, escalation windows, prompt schedule, crisis resources.

What each setting means, its default and its range live in care/clinic_settings.py (ClinicSettings); this module
reads the admin's form against those fields and saves it, audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.transactions import in_transaction

from care.clinic_settings import PHONE_PROBLEM, ClinicSettings, is_phone, label, limits, max_length
from oversight import access
from oversight.access import MAY_CLINIC_SETTINGS
from server import audit
from server.actor import Actor
from server.errors import Invalid
from server.forms import Form
from server.models import Clinic
from server.policy import require

NUMBERS = ("note_signing_hours", "escalation_hours", "escalation_hours_cssrs_high")
PHONES = ("crisis_phone", "crisis_sms")
TEXTS = (*PHONES, "crisis_text", "calendar_title")
LINES = ("preparation_checklist",)  # one item per line in the form
FLAGS = ("therapists_record_vitals", "staff_two_factor")  # checkboxes
FIELDS = (*NUMBERS, "prompt_schedule_hours", *TEXTS, *LINES, *FLAGS)
LINE_MAX = 200


async def current(actor: Actor) -> dict[str, Any]:
    """The form's values: the clinic's settings as an admin types them (the schedule as "2, 24, 72"), and the
    version they are at."""
    await require(actor.user, MAY_CLINIC_SETTINGS)
    return _as_form(await Clinic.get(id=actor.clinic_id))


def _as_form(clinic: Clinic) -> dict[str, Any]:
    settings = ClinicSettings.of(clinic)
    schedule = ", ".join(map(str, settings.prompt_schedule_hours))
    lines: dict[str, Any] = {name: "\n".join(getattr(settings, name)) for name in LINES}
    return settings.stored() | lines | {"prompt_schedule_hours": schedule, "settings_version": clinic.settings_version}


STALE = (
    "Another admin saved these settings while you were editing them. Nothing of yours was saved: theirs are shown"
    " above, yours are in the form. Save again to replace theirs with yours."
)


def as_typed(data: Mapping[str, Any]) -> dict[str, str]:
    """A refused form's values, as the admin typed them."""
    return {name: str(data.get(name, "")) for name in (*FIELDS, "settings_version")}


def parse(data: Mapping[str, Any]) -> tuple[ClinicSettings | None, Form]:
    f = Form(data)
    values: dict[str, Any] = {name: f.integer(name, label(name), *limits(name)) for name in NUMBERS}
    for name in TEXTS:
        values[name] = f.text(name, label(name), max_len=max_length(name))
        if name in PHONES and values[name] and not is_phone(values[name]):
            f.errors[name] = PHONE_PROBLEM
    for name in LINES:
        typed = f.text(name, label(name), required=True, max_len=12 * (LINE_MAX + 2))
        values[name] = tuple(line.strip() for line in typed.splitlines() if line.strip())
        if len(values[name]) > 12 or any(len(line) > LINE_MAX for line in values[name]):
            f.errors[name] = f"Keep {label(name)} to at most 12 lines of up to {LINE_MAX} characters each."
    for name in FLAGS:
        values[name] = str(data.get(name, "")).lower() in {"on", "true", "1"}
    raw = f.text("prompt_schedule_hours", label("prompt_schedule_hours"), required=True, max_len=100)
    try:
        values["prompt_schedule_hours"] = tuple(int(h) for h in raw.replace(" ", "").split(",") if h)
        settings = ClinicSettings.model_validate(values) if not f.errors else None
    except ValueError:  # pydantic's ValidationError is a ValueError too
        f.errors["prompt_schedule_hours"] = "List hours after an infusion, like 2, 24, 72, 168."
        settings = None
    return settings, f


async def save(actor: Actor, data: Mapping[str, Any]) -> None:
    """Save the clinic's settings from the version the form showed; 409 (with the settings saved meanwhile as the
    refusal's page) when another admin saved first. The audit names the settings that changed."""
    await require(actor.user, MAY_CLINIC_SETTINGS)
    clinic = await Clinic.get(id=actor.clinic_id)
    # A setting missing from the submission (a page opened before it existed) keeps its value; an emptied one is
    # refused like any other bad field.
    # A checkbox is absent when unticked: the flags keep their values only when the form did not show them.
    unsent = {k for k in FIELDS if k not in data and (k not in FLAGS or "flags" not in data)}
    kept = {k: v for k, v in _as_form(clinic).items() if k in unsent}
    settings, f = parse({**kept, **{k: data[k] for k in data}})
    version = f.integer("settings_version", "the version", 0, 2**31 - 1, required=False)
    if settings is None:
        raise Invalid(f.errors)
    before = ClinicSettings.of(clinic).stored()
    after = settings.stored()
    changed = sorted(k for k, v in after.items() if before.get(k) != v)
    async with in_transaction():
        written = await Clinic.filter(id=clinic.id, settings_version=version or 0).update(
            settings={**clinic.settings, **after}, settings_version=(version or 0) + 1
        )
        if written:
            detail = {"changed": changed}
            await audit.record(actor, access.SETTINGS_CHANGED, object_type="clinic", object_id=clinic.id, detail=detail)
    if not written:
        raise Invalid({"form": STALE}, page=_as_form(await Clinic.get(id=clinic.id)), status=409)
