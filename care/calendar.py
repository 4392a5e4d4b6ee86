"""The clinic's calendar: book a patient's sessions, see the day and the week, and follow each session from
check-in to completion.

- A booking is a dosing, preparation or integration session for a patient, in a chair or room, with the staff
  who attend. Neither a chair nor a clinician is ever booked twice at once: the check and the insert run in one
  serialised transaction (an advisory lock per clinic on PostgreSQL; SQLite's write transactions run one at a
  time), so two tabs booking the same chair at the same moment get one booking and one clear refusal.
- A session moves booked → checked in → dose started → completed; recording the session's infusion completes it
  (care/infusions.py), so "Record infusion" never leaves a stray scheduled session behind. It can be cancelled or
  marked as a no-show, each with a reason. A status change names the version it started from (two tabs: the
  second is told what happened meanwhile).
- Times are entered and shown in the clinic's time zone and stored in UTC.
- Booking sends the patient a calendar invitation through the outbox (cancelling, a cancellation) with the clinic's
  neutral title: no treatment, no clinic specialty, no names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from care import access, panels
from care.calendar_models import Booking, BookingKind, BookingStaff, BookingStatus
from care.clinic_settings import ClinicSettings
from care.models import Course, CourseStatus, Patient
from server import audit, compiled, once, outbox, sql
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.forms import Form
from server.models import Clinic, Role, User

BOOKED = audit.define("booking.created", "A session was booked for a patient (kind, chair, staff).")
BOOKING_CHANGED = audit.define(
    "booking.status_changed", "A booked session was checked in, started, completed, cancelled or marked a no-show."
)
BOOKING_FORM_VIEWED = audit.define("booking.form_viewed", "A clinician opened the form to book a patient's session.")
CALENDAR_VIEWED = audit.define(
    "calendar.viewed", "A clinician viewed the clinic calendar (detail: the patients shown by name)."
)
OPEN = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN, BookingStatus.DOSE_STARTED)
HOLDS_TIME = (*OPEN, BookingStatus.COMPLETED)  # what a chair or a clinician cannot be double-booked against
MOVES = {
    BookingStatus.BOOKED: (BookingStatus.CHECKED_IN, BookingStatus.CANCELLED, BookingStatus.NO_SHOW),
    BookingStatus.CHECKED_IN: (BookingStatus.DOSE_STARTED, BookingStatus.COMPLETED, BookingStatus.CANCELLED),
    BookingStatus.DOSE_STARTED: (BookingStatus.COMPLETED,),
}
NEEDS_REASON = (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
DURATIONS = {BookingKind.DOSING: 120, BookingKind.PREPARATION: 60, BookingKind.INTEGRATION: 60}
STALE = "Someone changed this session meanwhile; it is shown as it is now. Nothing of yours was saved."
DOSING_BY_INFUSION = "A dosing session is completed by recording its infusion."
MESSAGE_INVITE = "booking_invite"


@dataclass(frozen=True)
class BookingData:
    kind: BookingKind
    starts_at: datetime
    ends_at: datetime
    room: str
    staff_ids: tuple[int, ...]


def parse(data: Mapping[str, Any], tz: str, now: datetime) -> tuple[BookingData | None, Form]:
    """The booking form, read in the clinic's time zone; every problem is named beside its field."""
    f = Form(data)
    kind = f.choice("kind", "the kind of session", [k.value for k in BookingKind])
    earliest, latest = now - timedelta(days=1), now + timedelta(days=366)
    starts = f.moment("starts_at", "the start", tz, earliest=earliest, latest=latest)
    minutes = f.integer("minutes", "the length in minutes", 15, 600, required=False)
    room = f.text("room", "the chair or room", max_len=40).strip()
    if kind == BookingKind.DOSING and not room and "room" not in f.errors:
        f.errors["room"] = "Choose the chair or room for a dosing session."
    staff: list[int] = []
    raw = data.getlist("staff") if hasattr(data, "getlist") else data.get("staff", [])
    for value in [raw] if isinstance(raw, str) else raw:
        if str(value).isdigit() and 0 < int(value) < 2**31:
            staff.append(int(value))
        else:
            f.errors["staff"] = "Choose the staff who will attend from the list."
    if not staff and "staff" not in f.errors:
        f.errors["staff"] = "Choose at least one member of staff who will attend."
    f.values["staff"] = staff
    if f.errors or kind is None or starts is None:
        return None, f
    length = timedelta(minutes=minutes or DURATIONS[BookingKind(kind)])
    return BookingData(BookingKind(kind), starts, starts + length, room, tuple(dict.fromkeys(staff))), f


STAFF_ROLES = (Role.THERAPIST, Role.MEDICAL, Role.SUPERVISOR)  # who attends sessions and reads the calendar


async def staff_choices(actor: Actor) -> list[User]:
    """The clinicians who can attend a session in the actor's clinic."""
    return await User.filter(
        clinic_id=actor.clinic_id, role__in=STAFF_ROLES, disabled_at=None, awaiting_approval=False
    ).order_by("name")


async def _conflicts(clinic_id: int, data: BookingData, staff: list[User]) -> dict[str, str]:
    """Field errors for a chair or a clinician already booked in the time asked for."""
    overlapping = Booking.filter(
        clinic_id=clinic_id, status__in=HOLDS_TIME, starts_at__lt=data.ends_at, ends_at__gt=data.starts_at
    )
    errors = {}
    if data.room:
        taken = await overlapping.filter(room=data.room).order_by("starts_at").first()
        if taken:
            errors["room"] = f"{data.room} is already booked at that time. Choose another chair or time."
    busy = await BookingStaff.filter(
        user_id__in=[u.id for u in staff],
        booking__clinic_id=clinic_id,
        booking__status__in=HOLDS_TIME,
        booking__starts_at__lt=data.ends_at,
        booking__ends_at__gt=data.starts_at,
    ).values_list("user_id", flat=True)
    names = [u.name for u in staff if u.id in set(busy)]
    if names:
        errors["staff"] = f"{', '.join(names)} already {'has' if len(names) == 1 else 'have'} a session then."
    return errors


async def book(actor: Actor, patient_id: int, key: str, data: BookingData | None, errors: dict[str, str]) -> Booking:
    """Book a session for a patient on one's care team; a repeat of the same form returns its booking."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    if (first := await once.repeat(actor, key, "booking")) is not None:
        return await Booking.get(id=first)
    page = await _new_page(actor, patient)
    if data is None or errors:  # the form is shown again, with the patient's name: read once more
        await audit.record_read(
            actor, BOOKING_FORM_VIEWED, object_type="patient", object_id=patient.id, patient_id=patient.id
        )
        raise Invalid(errors, page=page)
    choices = {u.id: u for u in page["staff"]}
    staff = [choices[i] for i in data.staff_ids if i in choices]
    if len(staff) != len(data.staff_ids):
        raise Invalid({"staff": "Choose the staff who will attend from the list."}, page=page)
    course = await Course.filter(patient_id=patient.id, status=CourseStatus.ACTIVE).first()
    if data.kind == BookingKind.DOSING and course is None:
        raise Invalid({"form": "Start a treatment course before booking a dosing session."}, page=page)

    async def make() -> Booking:
        async with in_transaction() as conn:
            if sql.is_postgres(conn):  # one booking check at a time per clinic: no chair or clinician twice
                await sql.fetch("SELECT pg_advisory_xact_lock(hashtext(?))", (f"calendar:{patient.clinic_id}",), conn)
            clash = await _conflicts(patient.clinic_id, data, staff)
            if clash:
                raise Invalid(clash, page=page, status=409)
            booking = await Booking.create(
                clinic_id=patient.clinic_id,
                patient=patient,
                course_id=course.id if course else None,
                kind=data.kind,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                room=data.room,
                created_at=actor.now,
                created_by_id=actor.user_id,
                updated_at=actor.now,
            )
            await BookingStaff.bulk_create([BookingStaff(booking_id=booking.id, user_id=u.id) for u in staff])
            detail = {"kind": str(data.kind), "staff": [u.id for u in staff]}
            await audit.record(
                actor, BOOKED, object_type="booking", object_id=booking.id, patient_id=patient.id, detail=detail
            )
            await _invite(actor, patient, booking, "request")
            return booking

    return await once.create(actor, key, "booking", make, lambda pk: Booking.get(id=pk))


async def _invite(actor: Actor, patient: Patient, booking: Booking, method: str) -> None:
    await outbox.enqueue(
        actor.now,
        MESSAGE_INVITE,
        patient.user.email,
        {"booking": booking.id, "method": method},
        user_id=patient.user_id,
        clinic_id=patient.clinic_id,
        dedupe_key=f"booking:{booking.id}:{method}",
    )


async def new_page(actor: Actor, patient_id: int) -> dict[str, Any]:
    """The booking form for a patient on one's care team."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    where = {"object_type": "patient", "object_id": patient.id, "patient_id": patient.id}
    await audit.record_read(actor, BOOKING_FORM_VIEWED, **where)
    return await _new_page(actor, patient)


async def _new_page(actor: Actor, patient: Patient) -> dict[str, Any]:
    tomorrow = datetime.combine(actor.today + timedelta(days=1), time(9, 0))
    values = {"kind": "dosing", "starts_at": tomorrow.strftime("%Y-%m-%dT%H:%M"), "minutes": "", "room": ""}
    return {"patient": patient, "staff": await staff_choices(actor), "values": values | {"staff": [actor.user_id]}}


async def set_status(actor: Actor, booking_id: int, version: int | None, to: str, reason: str) -> Booking:
    """Move a session on (check in, dose started, completed) or end it (cancelled, no-show: with a reason)."""
    booking = await get_booking_for(actor, booking_id, write=True)
    target = BookingStatus(to) if to in set(BookingStatus) else None
    if target is not None and booking.status == target:  # the same change sent twice: done once, answered as done
        await booking.fetch_related("staff__user")
        return booking
    errors = {}
    if target is None or target not in MOVES.get(booking.status, ()):
        errors["status"] = f"A session that is {booking.status.replace('_', ' ')} can't become that."
    elif target == BookingStatus.COMPLETED and booking.kind == BookingKind.DOSING:
        errors["status"] = DOSING_BY_INFUSION
    elif target in NEEDS_REASON and not reason.strip():
        errors["reason"] = "Say why (a few words are enough)."
    elif len(reason) > 300:
        errors["reason"] = "Use at most 300 characters."
    if errors:
        await booking.fetch_related("staff__user")
        raise Invalid(errors, page=booking)
    async with in_transaction():
        written = await Booking.filter(id=booking.id, version=version or 0).update(
            status=target, status_reason=reason.strip(), updated_at=actor.now, version=(version or 0) + 1
        )
        if written:
            detail = {"from": str(booking.status), "to": str(target)}
            await audit.record(
                actor,
                BOOKING_CHANGED,
                object_type="booking",
                object_id=booking.id,
                patient_id=booking.patient_id,
                detail=detail,
            )
            if target == BookingStatus.CANCELLED:
                await _invite(actor, booking.patient, booking, "cancel")
    fresh = await get_booking_for(actor, booking.id)
    await fresh.fetch_related("staff__user")
    if not written:
        if fresh.status == target:  # the same change sent twice: done once, answered as done
            return fresh
        raise Invalid({"form": STALE}, page=fresh, status=409)
    return fresh


async def complete_with_infusion(actor: Actor, booking_id: int, patient_id: int, infusion_id: int) -> bool:
    """Inside the transaction that records an infusion: complete the dosing session it was given for. False when
    that session is not this patient's open dosing session any more (cancelled meanwhile, already completed)."""
    written = await Booking.filter(
        id=booking_id, patient_id=patient_id, kind=BookingKind.DOSING, status__in=OPEN
    ).update(status=BookingStatus.COMPLETED, infusion_id=infusion_id, updated_at=actor.now)
    if written:
        detail = {"to": "completed", "infusion": infusion_id}
        await audit.record(
            actor, BOOKING_CHANGED, object_type="booking", object_id=booking_id, patient_id=patient_id, detail=detail
        )
    return bool(written)


async def open_dosing(actor: Actor, patient_id: int, booking_id: int | None) -> Booking | None:
    """The open dosing session a new infusion record completes: the one asked for (if it is this patient's and
    still open), or else the patient's open dosing session today (the clinic's day)."""
    open_dosing = Booking.filter(patient_id=patient_id, kind=BookingKind.DOSING, status__in=OPEN)
    if booking_id and (asked := await open_dosing.filter(id=booking_id).first()):
        return asked
    start, end = _day_bounds(actor.today, actor.tz)
    return await open_dosing.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at").first()


BOOKING_VIEWED = audit.define("booking.viewed", "A clinician opened a booked session's page.")


@dataclass(frozen=True)
class BookingPage:
    booking: Booking
    panels: list[Any]  # what other rooms show on it (the patient's intention for the session)


async def booking_page(actor: Actor, booking_id: int) -> BookingPage:
    """A booked session's page (audited as a read of the patient's record), with its staff and panels."""
    booking = await get_booking_for(actor, booking_id)
    await booking.fetch_related("staff__user")
    await audit.record_read(
        actor, BOOKING_VIEWED, object_type="booking", object_id=booking.id, patient_id=booking.patient_id
    )
    return BookingPage(booking, await actor.registry.page(panels.BOOKING).collect(actor, booking))


async def get_booking_for(actor: Actor, booking_id: int, *, write: bool = False) -> Booking:
    booking = await Booking.get_or_none(id=booking_id, clinic_id=actor.clinic_id).select_related("patient__user")
    if booking is None or actor.role == Role.PATIENT:
        raise NotFound("booking")
    await access.get_patient_for(actor, booking.patient_id, write=write)
    return booking


def _day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


@dataclass
class Day:
    day: date
    bookings: list[Booking] = field(default_factory=list)


@dataclass
class CalendarView:
    view: str
    start: date
    days: list[Day]
    clinician: User | None
    clinicians: list[User]
    readable: set[int]  # patients whose names the viewer may see; others show as "Booked"
    staff: dict[int, list[str]]  # booking id -> names of the staff attending

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=7 if self.view == "week" else 1)

    @property
    def following(self) -> date:
        return self.start + timedelta(days=7 if self.view == "week" else 1)


async def calendar(actor: Actor, view: str, day: date | None, clinician_id: int | None) -> CalendarView:
    """The clinic's day or week (Monday to Sunday) in its time zone, for every chair or for one clinician. Staff
    see every booking (so they never double-book a chair) but only the names of patients they may see."""
    if actor.role not in STAFF_ROLES:
        raise NotFound("calendar")
    view = "day" if view == "day" else "week"
    day = day or actor.today
    start = day - timedelta(days=day.weekday()) if view == "week" else day
    count = 7 if view == "week" else 1
    lo, _ = _day_bounds(start, actor.tz)
    _, hi = _day_bounds(start + timedelta(days=count - 1), actor.tz)
    clinicians = await staff_choices(actor)
    clinician = next((u for u in clinicians if u.id == clinician_id), None)
    query = Booking.filter(clinic_id=actor.clinic_id, starts_at__gte=lo, starts_at__lt=hi)
    if clinician:
        query = query.filter(staff__user_id=clinician.id)
    bookings = await query.select_related("patient__user").order_by("starts_at", "room").distinct()
    attending = await BookingStaff.filter(booking_id__in=[b.id for b in bookings]).select_related("user")
    staff: dict[int, list[str]] = {}
    for row in attending:
        staff.setdefault(row.booking_id, []).append(row.user.name)
    visible = set(await access.visible_patients(actor).values_list("id", flat=True))
    readable = {b.patient_id for b in bookings if b.patient_id in visible}
    zone = ZoneInfo(actor.tz)
    days = [Day(start + timedelta(days=i)) for i in range(count)]
    for b in bookings:
        index = (b.starts_at.astimezone(zone).date() - start).days
        if 0 <= index < count:
            days[index].bookings.append(b)
    if readable:
        detail = {"patients": sorted(readable), "view": view}
        await audit.record_read(actor, CALENDAR_VIEWED, object_type="clinic", object_id=actor.clinic_id, detail=detail)
    return CalendarView(view, start, days, clinician, clinicians, readable, staff)


@dataclass(frozen=True)
class NextSession:
    booking: Booking
    checklist: tuple[str, ...]


UPCOMING = compiled.query(
    lambda patient_id, now: (
        Booking.filter(patient_id=patient_id, status__in=OPEN, ends_at__gt=now).order_by("starts_at").limit(3)
    )
)


async def next_session(actor: Actor, patient: Patient, upcoming: list[Booking] | None = None) -> dict[str, Any] | None:
    """The patient's next booked session and, before a dosing session, the clinic's preparation checklist (the
    panel on the patient's journal home); `upcoming` is UPCOMING already read."""
    if upcoming is None:
        upcoming = await UPCOMING.all(patient_id=patient.id, now=actor.now)
    if not upcoming:
        return None
    booking = upcoming[0]
    same = actor.user is not None and actor.user.clinic_id == patient.clinic_id
    clinic = actor.clinic if same else await Clinic.get(id=patient.clinic_id)  # a patient's clinic came with them
    checklist = ClinicSettings.of(clinic).preparation_checklist if booking.kind == BookingKind.DOSING else ()
    return {"next": NextSession(booking, checklist), "later": upcoming[1:], "tz": clinic.timezone}
