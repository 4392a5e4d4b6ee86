"""The clinic's calendar: booked sessions (dosing, preparation, integration) with their chair and the staff who
attend (care/calendar.py)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from care.models import Patient
from server.models import User


class BookingKind(StrEnum):
    DOSING = "dosing"
    PREPARATION = "preparation"
    INTEGRATION = "integration"


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    DOSE_STARTED = "dose_started"
    COMPLETED = "completed"  # by recording the session's infusion (or, for other kinds, by staff)
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class Booking(Model):
    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="bookings", on_delete=fields.RESTRICT
    )
    patient_id: int
    course_id = fields.IntField(null=True)
    kind = fields.CharEnumField(BookingKind, max_length=16)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    room = fields.CharField(max_length=40, default="")  # the chair or room, e.g. "Chair 2"
    status = fields.CharEnumField(BookingStatus, max_length=16, default=BookingStatus.BOOKED)
    status_reason = fields.CharField(max_length=300, default="")  # why cancelled or missed
    infusion_id = fields.IntField(null=True)  # the infusion record that completed it
    created_at = fields.DatetimeField()
    created_by_id = fields.IntField(null=True)
    updated_at = fields.DatetimeField()
    version = fields.IntField(default=1)

    class Meta:
        table = "booking"
        indexes = (("clinic_id", "starts_at"), ("patient_id", "starts_at"), ("infusion_id",))


class BookingStaff(Model):
    """A member of staff who attends a booked session (a clinician is never booked twice at once)."""

    id = fields.IntField(primary_key=True)
    booking: fields.ForeignKeyRelation[Booking] = fields.ForeignKeyField(
        "models.Booking", related_name="staff", on_delete=fields.CASCADE
    )
    booking_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="bookings", on_delete=fields.RESTRICT
    )
    user_id: int

    class Meta:
        table = "booking_staff"
        unique_together = (("booking", "user"),)
