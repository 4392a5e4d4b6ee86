"""Prompt reminders: when a scheduled prompt (hours after a session) or a practice from the care team falls due,
the patient gets one short email saying a prompt is waiting — never its words — unless they answered it first, or
turned prompt reminders off (server/reminders.py). Quiet hours delay it; each prompt is reminded once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from care.clinic_settings import ClinicSettings
from care.models import Infusion
from journal.models import JournalEntry, Prompt
from journal.prompts import schedule_ref
from server import outbox
from server.mail import Rendered
from server.models import Clinic
from server.settings import Settings

KIND = "prompt_reminder"
TOPIC = "prompts"
LOOKBACK = timedelta(hours=12)  # a prompt that fell due longer ago (say, while the server was down) is not reminded


async def produce(settings: Settings, now: datetime) -> int:
    """Queue a reminder for each prompt that fell due lately; safe to run from several workers at once."""
    schedules = {c.id: ClinicSettings.of(c).prompt_schedule_hours for c in await Clinic.all()}
    if not schedules:
        return 0
    longest = timedelta(hours=max(max(hours) for hours in schedules.values()))
    queued = 0
    recent = Infusion.filter(started_at__gte=now - longest - LOOKBACK, started_at__lte=now)
    for infusion in await recent.select_related("patient__user"):
        for hours in schedules.get(infusion.clinic_id, ()):
            at: datetime = infusion.started_at + timedelta(hours=hours)  # type: ignore[operator, assignment]
            if now - LOOKBACK < at <= now:
                queued += await _queue(now, infusion.patient, schedule_ref(infusion.id, hours), at)
    practices = Prompt.filter(due_at__gt=now - LOOKBACK, due_at__lte=now)
    for practice in await practices.select_related("patient__user"):
        queued += await _queue(now, practice.patient, f"practice:{practice.id}", practice.due_at)
    return queued


async def _queue(now: datetime, patient: Any, ref: str, due: datetime) -> bool:
    return await outbox.enqueue_once(
        now,
        KIND,
        patient.user.email,
        {"patient": patient.id, "ref": ref},
        dedupe_key=f"reminder:{ref}",
        user_id=patient.user_id,
        clinic_id=patient.clinic_id,
        due_at=due,
    )


async def render(settings: Settings, payload: dict[str, Any]) -> Rendered | None:
    """Nothing once the prompt has been answered."""
    if await JournalEntry.filter(patient_id=payload.get("patient", 0), prompt_ref=payload.get("ref", "")).exists():
        return None
    line = "There is a new prompt for you in Afterglow. Open it whenever you're ready: it is an invitation, not a task."
    return outbox.reminder(settings, "A new prompt in Afterglow", line)
