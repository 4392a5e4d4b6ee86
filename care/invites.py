"""Calendar invitations for booked sessions (RFC 5545, through the outbox): the clinic's neutral title, the time,
and a link — never the treatment, the clinic's specialty, a name or anything from the record."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from care.calendar import OPEN
from care.calendar_models import Booking
from care.clinic_settings import ClinicSettings
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
        subject, first = f"{title}: {when}", f"You have an {title.lower()} on {when}." if title[:1].lower() in "aeiou" \
            else f"You have a {title.lower()} on {when}."
    text = f"{first}\n\nWhat to bring and how to prepare are in Afterglow: {link}\n"
    return Rendered(subject, text, ics=ics.to_ical())
