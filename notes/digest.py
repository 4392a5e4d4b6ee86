"""The morning summary for staff: from 07:00 in the clinic's time zone, one email a day to each therapist and
supervisor with counts and a link — notes to finish, notes waiting for a co-signature, alerts to acknowledge —
never a name or anything from a record. Nothing is sent on a day with nothing to do."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from care.models import CareTeam, RiskAlert
from notes import supervision
from notes.models import IntegrationNote, Status
from server import outbox
from server.mail import Rendered
from server.models import Clinic, Role, User
from server.settings import Settings

KIND = "staff_digest"
TOPIC = "digest"
FROM_HOUR = 7


async def produce(settings: Settings, now: datetime) -> int:
    queued = 0
    for clinic in await Clinic.all():
        local = now.astimezone(ZoneInfo(clinic.timezone))
        if local.hour < FROM_HOUR:
            continue
        staff = User.filter(
            clinic_id=clinic.id,
            role__in=(Role.THERAPIST, Role.SUPERVISOR),
            disabled_at=None,
            awaiting_approval=False,
        )
        for user in await staff:
            day = local.date().isoformat()
            queued += await outbox.enqueue_once(
                now,
                KIND,
                user.email,
                {"user": user.id, "day": day},
                dedupe_key=f"digest:{user.id}:{day}",
                user_id=user.id,
                clinic_id=clinic.id,
            )
    return queued


async def counts(user: User) -> dict[str, int]:
    """What is waiting for this person: counts only."""
    alerts = RiskAlert.filter(clinic_id=user.clinic_id, acknowledged_at__isnull=True)
    if user.role == Role.THERAPIST:
        team = await CareTeam.filter(therapist_id=user.id).values_list("patient_id", flat=True)
        alerts = alerts.filter(patient_id__in=list(team))
    found = {
        "drafts": await IntegrationNote.filter(author_id=user.id, status=Status.DRAFT).count(),
        "alerts": await alerts.count(),
    }
    if user.role == Role.SUPERVISOR:
        mine, unassigned = await supervision.queue(user)  # their own queue, as /oversight/cosign shows it
        found["cosign"] = len(mine) + len(unassigned)
    return found


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


async def render(settings: Settings, payload: dict[str, Any]) -> Rendered | None:
    user = await User.get_or_none(id=payload.get("user", 0))
    if user is None or not user.is_active:
        return None
    found = await counts(user)
    parts = [
        _plural(found["drafts"], "note to finish", "notes to finish") if found["drafts"] else "",
        _plural(found.get("cosign", 0), "note to co-sign", "notes to co-sign") if found.get("cosign") else "",
        _plural(found["alerts"], "alert to acknowledge", "alerts to acknowledge") if found["alerts"] else "",
    ]
    waiting = [p for p in parts if p]
    if not waiting:
        return None
    line = f"Good morning. Waiting for you in Afterglow today: {', '.join(waiting)}."
    return outbox.reminder(settings, "Your Afterglow morning summary", line, "/")
