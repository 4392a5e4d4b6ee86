"""A note's shared summary reaching the patient: when a note becomes final with a summary for the patient, one
short email says their care team has shared something — never its words — with a link to read it in Afterglow."""

from __future__ import annotations

from typing import Any

from care.models import Patient
from notes.models import IntegrationNote, Status
from server import outbox
from server.actor import Actor
from server.mail import Rendered
from server.models import User
from server.settings import Settings

KIND = "summary_shared"
TOPIC = "summaries"
FINAL = (Status.SIGNED, Status.COSIGNED)


async def summary_shared(actor: Actor, note: IntegrationNote, patient: Patient) -> None:
    """Inside the transaction that makes the note final."""
    if not note.shared_summary.strip():
        return
    user = await User.get(id=patient.user_id)
    await outbox.enqueue(
        actor.now,
        KIND,
        user.email,
        {"note": note.id},
        user_id=user.id,
        clinic_id=patient.clinic_id,
        dedupe_key=f"summary:{note.id}",
    )


async def render(settings: Settings, payload: dict[str, Any]) -> Rendered | None:
    note = await IntegrationNote.get_or_none(id=payload.get("note", 0))
    if note is None or note.status not in FINAL or not note.shared_summary.strip():
        return None
    line = "Your care team has shared a few words with you after your session. You can read them in Afterglow."
    return outbox.reminder(settings, "Something from your care team in Afterglow", line)
