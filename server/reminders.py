"""A person's reminder settings: email reminders on or off, which topics, and quiet hours (server/outbox.py applies
them at delivery). Messages about one's account — a sign-in link — are not reminders and always go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from server import audit
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.forms import Form
from server.models import NotificationPreference
from server.registry import Topic

CHANGED = audit.define("notifications.preferences_changed", "Someone changed which reminders they get by email.")
HOURS = [str(h) for h in range(24)]


@dataclass(frozen=True)
class ReminderPage:
    pref: NotificationPreference
    topics: list[Topic]


async def page(actor: Actor) -> ReminderPage:
    if actor.user is None:
        raise NotFound("reminders")
    pref = await NotificationPreference.get_or_none(user_id=actor.user_id)
    if pref is None:  # the defaults, until the person saves their own
        pref = NotificationPreference(user_id=actor.user_id, email=True, off=[], quiet_from=21, quiet_until=8)
    topics = [t for t in actor.registry.topics.values() if actor.role in t.roles]
    return ReminderPage(pref, topics)


async def save(actor: Actor, data: Any) -> ReminderPage:
    """Save the reminder settings from the form (a checkbox per topic that stays on)."""
    shown = await page(actor)
    f = Form(data)
    start = f.choice("quiet_from", "when quiet hours start", HOURS)
    end = f.choice("quiet_until", "when quiet hours end", HOURS)
    if f.errors or start is None or end is None:
        raise Invalid(f.errors, page=shown)
    kept = set(data.getlist("topics")) if hasattr(data, "getlist") else set()
    off = sorted(t.name for t in shown.topics if t.name not in kept)
    values = {"email": f.check("email"), "off": off, "quiet_from": int(start), "quiet_until": int(end)}
    async with in_transaction():
        await NotificationPreference.update_or_create(
            defaults=values | {"updated_at": actor.now}, user_id=actor.user_id
        )
        detail = {"email": values["email"], "off": off, "quiet": [values["quiet_from"], values["quiet_until"]]}
        await audit.record(actor, CHANGED, object_type="user", object_id=actor.user_id, detail=detail)
    return await page(actor)
