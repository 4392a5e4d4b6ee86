"""Clinic settings for admins: note-signing window, escalation windows, prompt schedule, crisis resources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.transactions import in_transaction

from oversight import access
from oversight.access import MAY_CLINIC_SETTINGS
from server import audit
from server.actor import Actor
from server.errors import Invalid
from server.forms import Form
from server.models import Clinic
from server.policy import require

DEFAULTS = {
    "note_signing_hours": 72,
    "escalation_hours": 24,
    "escalation_hours_cssrs_high": 1,
    "prompt_schedule_hours": [2, 24, 72, 168],
    "crisis_phone": "",
    "crisis_text": "",
}


async def current(actor: Actor) -> dict[str, Any]:
    await require(actor.user, MAY_CLINIC_SETTINGS)
    clinic = await Clinic.get(id=actor.clinic_id)
    return {**DEFAULTS, **clinic.settings}


def parse(data: Mapping[str, Any]) -> tuple[dict[str, Any], Form]:
    f = Form(data)
    values: dict[str, Any] = {
        "note_signing_hours": f.integer("note_signing_hours", "the signing window (hours)", 1, 336),
        "escalation_hours": f.integer("escalation_hours", "the escalation window (hours)", 1, 168),
        "escalation_hours_cssrs_high": f.integer("escalation_hours_cssrs_high", "the C-SSRS high-risk window", 1, 24),
        "crisis_phone": f.text("crisis_phone", "the clinic's crisis phone", max_len=40),
        "crisis_text": f.text("crisis_text", "the crisis resources text", max_len=1000),
    }
    raw = f.text("prompt_schedule_hours", "the prompt schedule", required=True, max_len=100)
    try:
        hours = sorted({int(h) for h in raw.replace(" ", "").split(",") if h})
    except ValueError:
        hours = []
    if not hours or not all(0 < h <= 24 * 60 for h in hours):
        f.errors["prompt_schedule_hours"] = "List hours after an infusion, like 2, 24, 72, 168."
    values["prompt_schedule_hours"] = hours
    return values, f


async def save(actor: Actor, data: Mapping[str, Any]) -> None:
    await require(actor.user, MAY_CLINIC_SETTINGS)
    values, f = parse(data)
    if f.errors:
        raise Invalid(f.errors)
    clinic = await Clinic.get(id=actor.clinic_id)
    changed = sorted(k for k, v in values.items() if {**DEFAULTS, **clinic.settings}.get(k) != v)
    async with in_transaction():
        await Clinic.filter(id=clinic.id).update(settings={**clinic.settings, **values})
        await audit.record(
            actor, access.SETTINGS_CHANGED, object_type="clinic", object_id=clinic.id, detail={"changed": changed}
        )
