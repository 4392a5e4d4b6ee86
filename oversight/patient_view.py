"""What a patient may see of the oversight trail: who looked at their shared entries and notes, and when."""

from __future__ import annotations

from dataclasses import dataclass

from care.access import own_patient
from oversight import access
from server import audit
from server.actor import Actor
from server.models import AuditEvent, User

SHOWN = ("journal.shared_viewed", "note.read", "patient.chart_viewed", "infusion.viewed")
LABELS = {
    "journal.shared_viewed": "your shared journal entries",
    "note.read": "a note about your care",
    "patient.chart_viewed": "your chart",
    "infusion.viewed": "a session record",
}


@dataclass
class Access:
    at: object
    who: str
    role: str
    what: str


async def access_log(actor: Actor) -> list[Access]:
    patient = await own_patient(actor)
    events = (
        await AuditEvent.filter(patient_id=patient.id, action__in=SHOWN)
        .exclude(actor_id=actor.user_id)
        .order_by("-seq")
        .limit(100)
    )
    await audit.record_read(
        actor, access.ACCESS_LOG_VIEWED, object_type="patient", object_id=patient.id, patient_id=patient.id
    )
    users = {u.id: u for u in await User.filter(id__in={e.actor_id for e in events if e.actor_id})}
    return [
        Access(e.at, users[e.actor_id].name if e.actor_id in users else "Unknown", e.actor_role, LABELS[e.action])
        for e in events
    ]
