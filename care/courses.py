"""Treatment courses and their consents: one open course per patient, status changes from the version shown, and
consents recorded once per form."""

from __future__ import annotations

from functools import partial
from typing import Any

from tortoise.transactions import in_transaction

from care import access, rules
from care.models import OPEN_COURSE, Consent, Course, Patient
from care.patients import chart
from server import audit, once, sql
from server.actor import Actor
from server.errors import Invalid, NotFound


async def start_course(
    actor: Actor, patient_id: int, key: str, data: dict[str, Any] | None, errors: dict[str, str]
) -> Course:
    """Start a treatment course, completing or stopping the open one as the form says (a patient has one open course
    at a time); Invalid (with the chart) when the form was refused. A repeat of the same form (its `key`) returns the
    course it started."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    if (first := await once.repeat(actor, key, "course")) is not None:
        return await Course.get(id=first)
    try:
        if data is None:
            raise Invalid(errors)
        return await once.create(actor, key, "course", partial(_start, actor, patient, data), _course)
    except Invalid as exc:
        raise Invalid(exc.errors, page=await chart(actor, patient.id), status=exc.status) from None


async def _course(course_id: int) -> Course:
    return await Course.get(id=course_id)


async def _start(actor: Actor, patient: Patient, data: dict[str, Any]) -> Course:
    async with in_transaction():
        await _lock(patient.id)
        current = await Course.filter(patient_id=patient.id, status__in=OPEN_COURSE).first()
        rules.raise_if(rules.new_course_problems(current, data))
        if current is not None:
            await _set_status(actor, current, data["close_current"], current.version)
        return await _create_course(actor, patient, data)


async def _lock(patient_id: int) -> None:
    """Serialise course changes for one patient: PostgreSQL locks the patient's row; SQLite's write transactions
    (BEGIN IMMEDIATE) already run one at a time."""
    conn = sql.connection()
    if sql.is_postgres(conn):
        await sql.fetch('SELECT "id" FROM "patient" WHERE "id" = ? FOR UPDATE', (patient_id,), conn)


async def _create_course(actor: Actor, patient: Patient, data: dict[str, Any]) -> Course:
    protocol = data["protocol"]
    course = await Course.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        protocol=protocol,
        planned_count=data["planned_count"],
        started_on=data["started_on"],
        created_at=actor.now,
        created_by_id=actor.user_id,
    )
    await audit.record(
        actor,
        access.COURSE_CREATED,
        object_type="course",
        object_id=course.id,
        patient_id=patient.id,
        detail={"protocol": protocol},
    )
    return course


async def get_course_for(actor: Actor, course_id: int) -> Course:
    """A course the actor may record on; strangers get NotFound, read-only viewers Forbidden."""
    course = await Course.get_or_none(id=course_id, clinic_id=actor.clinic_id)
    if course is None:
        raise NotFound("course")
    await access.get_patient_for(actor, course.patient_id, write=True)
    return course


async def set_course_status(
    actor: Actor, course_id: int, version: int | None, status: str | None, errors: dict[str, str]
) -> Course:
    """Change a course's status from the version the chart showed; Invalid (with the chart) when the form was refused
    or another course is open, and 409 when someone changed the course meanwhile."""
    course = await get_course_for(actor, course_id)
    try:
        if status is None:
            raise Invalid({f"status_{course.id}": message for message in errors.values()})
        async with in_transaction():
            await _lock(course.patient_id)
            other = await Course.filter(patient_id=course.patient_id, status__in=OPEN_COURSE).exclude(id=course.id)
            rules.raise_if(rules.reopen_problems(course, status, other[0] if other else None))
            if not await _set_status(actor, course, status, version or 0):
                now = str((await Course.get(id=course.id)).status).replace("_", " ")
                chosen = status.replace("_", " ")
                message = f"This course was changed meanwhile: it is now {now}. Your choice ({chosen}) was not saved."
                raise Invalid({"form": message}, status=409)
    except Invalid as exc:
        raise Invalid(exc.errors, page=await chart(actor, course.patient_id), status=exc.status) from None
    return course


async def _set_status(actor: Actor, course: Course, status: str, version: int) -> bool:
    """Move a course to `status` if it is still at `version`; audited with what changed."""
    if not await Course.filter(id=course.id, version=version).update(status=status, version=version + 1):
        return False
    await audit.record(
        actor,
        access.COURSE_STATUS_CHANGED,
        object_type="course",
        object_id=course.id,
        patient_id=course.patient_id,
        detail={"from": str(course.status), "to": status, "changed": ["status"]},
    )
    return True


async def record_consent(
    actor: Actor, course_id: int, key: str, data: dict[str, Any] | None, errors: dict[str, str]
) -> Consent:
    """Record a consent on a course; Invalid (with the chart) when the form was refused; a repeat of the same form
    (its `key`) returns the consent it recorded."""
    course = await get_course_for(actor, course_id)
    if (first := await once.repeat(actor, key, "consent")) is not None:
        return await Consent.get(id=first).select_related("course")
    if data is None:
        raise Invalid(errors, page=await chart(actor, course.patient_id))

    async def make() -> Consent:
        return await _insert_consent(actor, course, data)

    return await once.create(actor, key, "consent", make, lambda pk: Consent.get(id=pk).select_related("course"))


async def _insert_consent(actor: Actor, course: Course, data: dict[str, Any]) -> Consent:
    kind = data["kind"]
    async with in_transaction():
        consent = await Consent.create(
            clinic_id=course.clinic_id,
            course=course,
            kind=kind,
            signed_on=data["signed_on"],
            recorded_by=actor.user,
            recorded_at=actor.now,
        )
        await audit.record(
            actor,
            access.CONSENT_RECORDED,
            object_type="consent",
            object_id=consent.id,
            patient_id=course.patient_id,
            detail={"kind": kind},
        )
    return consent
