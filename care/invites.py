"""Calendar invitations for booked sessions (RFC 5545, through the outbox): the clinic's neutral title, the time,
and a link — never the treatment, the clinic's specialty, a name or anything from the record."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from care.calendar import OPEN
from care.calendar_models import Booking, BookingKind
from care.clinic_settings import ClinicSettings
from care.models import Instrument, MeasureResponse
from server import outbox
from server.mail import Rendered
from server.models import Clinic
from server.settings import Settings


async def render_invite(settings: Settings, payload: dict[str, Any]) -> Rendered | None:
    """An invitation (or, for `method` "cancel", a cancellation); nothing when an invitation's session was
    cancelled before it went out."""
    booking = await Booking.get_or_none(id=payload.get("booking", 0))
    cancel = payload.get("method") == "cancel"
    if booking is None or (not cancel and booking.status not in OPEN):
        return None
    clinic = await Clinic.get(id=booking.clinic_id)
    title = ClinicSettings.of(clinic).calendar_title
    local = booking.starts_at.astimezone(ZoneInfo(clinic.timezone))
    when = f"{local:%A %-d %B %Y at %H:%M} ({clinic.timezone.replace('_', ' ')})"
    link = f"{settings.base_url}/journal"
    ics = Calendar()
    ics.add("prodid", "-//Afterglow//Sessions//EN")
    ics.add("version", "2.0")
    ics.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", f"booking-{booking.id}@afterglow")
    event.add("dtstamp", settings.clock())
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("summary", title)
    event.add("description", f"Details in Afterglow: {link}")
    event.add("sequence", 1 if cancel else 0)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    ics.add_component(event)
    if cancel:
        subject, first = f"Cancelled: {title}, {when}", f"Your {title.lower()} on {when} has been cancelled."
    else:
        subject, first = (
            f"{title}: {when}",
            f"You have an {title.lower()} on {when}."
            if title[:1].lower() in "aeiou"
            else f"You have a {title.lower()} on {when}.",
        )
    text = f"{first}\n\nWhat to bring and how to prepare are in Afterglow: {link}\n"
    return Rendered(subject, text, ics=ics.to_ical())


MEASURE_REMINDER = "measure_reminder"
MEASURE_AHEAD = timedelta(hours=48)  # a PHQ-9 is asked for in the two days before a dosing session...
MEASURE_FRESH = timedelta(days=7)  # ...unless the patient answered one in the last week


async def produce_measure_reminders(settings: Settings, now: datetime) -> int:
    """Queue one reminder per upcoming dosing session whose patient has no recent PHQ-9."""
    queued = 0
    soon = Booking.filter(
        kind=BookingKind.DOSING, status__in=OPEN, starts_at__gt=now, starts_at__lte=now + MEASURE_AHEAD
    )
    for booking in await soon.select_related("patient__user"):
        if await _answered_lately(booking.patient_id, now):
            continue
        patient = booking.patient
        queued += await outbox.enqueue_once(
            now,
            MEASURE_REMINDER,
            patient.user.email,
            {"booking": booking.id},
            dedupe_key=f"measure:{booking.id}",
            user_id=patient.user_id,
            clinic_id=patient.clinic_id,
        )
    return queued


async def _answered_lately(patient_id: int, now: datetime) -> bool:
    return await MeasureResponse.filter(
        patient_id=patient_id, instrument=Instrument.PHQ9, taken_at__gte=now - MEASURE_FRESH
    ).exists()


async def render_measure_reminder(settings: Settings, payload: dict[str, Any]) -> Rendered | None:
    """Nothing once the session is no longer open or the questionnaire has been answered."""
    booking = await Booking.get_or_none(id=payload.get("booking", 0))
    if booking is None or booking.status not in OPEN or await _answered_lately(booking.patient_id, settings.clock()):
        return None
    line = "A short questionnaire is waiting for you in Afterglow before your next appointment. It takes a few minutes."
    return outbox.reminder(settings, "A short questionnaire before your appointment", line)
