"""Patients, care teams, courses and consent: the use-cases behind /caseload and the patient chart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tortoise.functions import Count, Min
from tortoise.transactions import in_transaction

from care import access, panels, rules
from care.access import MAY_CARE_TEAM_MANAGE, MAY_PATIENT_CREATE
from care.clinical import trend
from care.models import OPEN_COURSE, CareTeam, Consent, Course, Infusion, MeasureResponse, Patient, RiskAlert
from server import accounts, audit, sql
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.models import Clinic, Role, User
from server.policy import require


@dataclass
class NewPatient:
    name: str
    email: str
    password: str
    mrn: str
    date_of_birth: date
    pronouns: str
    weight_kg: Decimal


async def create_patient(
    actor: Actor, data: NewPatient | None, errors: dict[str, str], typed: Mapping[str, Any]
) -> Patient:
    """Create the patient's account and profile; a therapist who creates a patient joins their care team. A refused
    form reports the account's problems too (from the `typed` email, name and password), so one submit shows every
    message."""
    await require(actor.user, MAY_PATIENT_CREATE)
    if data is None:
        email, name, password = (str(typed.get(k, "")) for k in ("email", "name", "password"))
        raise Invalid(await accounts.check_new_account(email, name, "patient", password) | errors)
    errors = await accounts.check_new_account(data.email, data.name, "patient", data.password)
    if await Patient.filter(clinic_id=actor.clinic_id, mrn=data.mrn).exists():
        errors["mrn"] = "Another patient in this clinic already has this MRN."
    if errors:
        raise Invalid(errors)
    clinic = await Clinic.get(id=actor.clinic_id)
    password_hash = await actor.passwords.hash(data.password)
    async with in_transaction():
        user = await accounts.insert_account(
            actor, clinic, email=data.email, name=data.name, role="patient", password_hash=password_hash
        )
        patient = await Patient.create(
            clinic=clinic,
            user=user,
            mrn=data.mrn,
            date_of_birth=data.date_of_birth,
            pronouns=data.pronouns,
            weight_kg=data.weight_kg,
            created_at=actor.now,
            created_by_id=actor.user_id,
        )
        if actor.role == Role.THERAPIST:
            await CareTeam.create(
                clinic_id=clinic.id,
                patient=patient,
                therapist=actor.user,
                added_at=actor.now,
                added_by_id=actor.user_id,
            )
        await audit.record(
            actor, access.PATIENT_CREATED, object_type="patient", object_id=patient.id, patient_id=patient.id
        )
    return patient


@dataclass
class Caseload:
    rows: list[CaseloadRow]
    panels: list[panels.Rendered]


@dataclass
class CaseloadRow:
    patient: Patient
    course: Course | None = None
    done: int = 0
    next_at: datetime | None = None
    phq9: list[int] = field(default_factory=list)
    open_alerts: int = 0

    @property
    def progress(self) -> str:
        return course_progress(self.course, self.done) if self.course else "No course yet"

    @property
    def trend(self) -> str:
        return trend(*(self.phq9[-2:] if len(self.phq9) >= 2 else (None, None)))


def course_progress(course: Course, given: int) -> str:
    """How far a course has got, counting the doses given: "Infusion 5 of 6" while it is open."""
    planned = course.planned_count
    if course.status not in OPEN_COURSE:
        return f"Course {course.status}: {given} of {planned} given"
    if given == 0:
        return f"None given yet ({planned} planned)"
    return f"Infusion {given} of {planned}" if given <= planned else f"Infusion {given} ({planned} planned)"


async def caseload(actor: Actor) -> Caseload:
    """The actor's patients with course progress, next session, PHQ-9 trend and open alerts; 6 queries, any size."""
    patients = await access.visible_patients(actor).select_related("user").order_by("user__name")
    rows = {p.id: CaseloadRow(p) for p in patients}
    ids = list(rows)
    if ids:
        await _fill_caseload(actor, rows, ids)
    await audit.record_read(actor, access.CASELOAD_VIEWED, object_type="caseload", detail={"patients": len(ids)})
    extra = await panels.collect(actor)
    return Caseload(list(rows.values()), extra)


# The caseload shows each patient's latest PHQ-9 and its trend: the last two scores, not their whole history.
_LATEST_PHQ9 = (
    'SELECT "patient_id", "total" FROM (SELECT "patient_id", "total", "taken_at", "id", ROW_NUMBER() OVER'
    ' (PARTITION BY "patient_id" ORDER BY "taken_at" DESC, "id" DESC) AS "n" FROM "measure_response"'
    ' WHERE "instrument" = \'PHQ9\' AND "patient_id" IN ({ids})) AS latest'
    ' WHERE "n" <= 2 ORDER BY "patient_id", "taken_at", "id"'
)


async def _fill_caseload(actor: Actor, rows: dict[int, CaseloadRow], ids: list[int]) -> None:
    for course in await Course.filter(patient_id__in=ids).order_by("started_on", "id"):
        shown = rows[course.patient_id].course
        if shown is None or shown.status not in OPEN_COURSE:  # the open course, else the latest
            rows[course.patient_id].course = course
    counted = (
        Infusion.filter(patient_id__in=ids, started_at__not_isnull=True)
        .annotate(n=Count("id"))
        .group_by("course_id")
        .values("course_id", "n")
    )
    done = {r["course_id"]: r["n"] for r in await counted}
    upcoming = (
        Infusion.filter(patient_id__in=ids, started_at__isnull=True, scheduled_at__gte=actor.now)
        .annotate(next_at=Min("scheduled_at"))
        .group_by("patient_id")
        .values("patient_id", "next_at")
    )
    for r in await upcoming:
        rows[r["patient_id"]].next_at = r["next_at"]
    for r in await sql.fetch(_LATEST_PHQ9.format(ids=sql.placeholders(len(ids))), ids):
        rows[r["patient_id"]].phq9.append(r["total"])
    alerts = (
        RiskAlert.filter(patient_id__in=ids, acknowledged_at__isnull=True)
        .annotate(n=Count("id"))
        .group_by("patient_id")
        .values("patient_id", "n")
    )
    for r in await alerts:
        rows[r["patient_id"]].open_alerts = r["n"]
    for row in rows.values():
        row.done = done.get(row.course.id, 0) if row.course else 0


@dataclass
class Chart:
    patient: Patient
    team: list[CareTeam]
    courses: list[Course]
    consents: list[Consent]
    infusions: list[Infusion]
    measures: list[MeasureResponse]
    alerts: list[RiskAlert]
    may_record: bool
    may_manage_team: bool
    therapists: list[User]
    panels: list[panels.Rendered]
    break_glass_until: datetime | None = None

    @property
    def open_course(self) -> Course | None:
        return next((c for c in self.courses if c.status in OPEN_COURSE), None)

    def progress(self, course: Course) -> str:
        return course_progress(course, sum(1 for i in self.infusions if i.course_id == course.id and i.started_at))


async def chart(actor: Actor, patient_id: int) -> Chart:
    """Everything on the patient chart, read and audited in one transaction."""
    patient = await access.get_patient_for(actor, patient_id)
    may_record = await access.can(actor.user, access.MAY_PATIENT_RECORD, patient)
    may_manage = await access.can(actor.user, MAY_CARE_TEAM_MANAGE, patient)
    result = Chart(
        patient=patient,
        team=await CareTeam.filter(patient_id=patient.id).select_related("therapist").order_by("added_at"),
        courses=await Course.filter(patient_id=patient.id).order_by("-started_on"),
        consents=await Consent.filter(course__patient_id=patient.id)
        .select_related("recorded_by")
        .order_by("signed_on"),
        infusions=await Infusion.filter(patient_id=patient.id).order_by("scheduled_at"),
        measures=await MeasureResponse.filter(patient_id=patient.id).order_by("taken_at"),
        alerts=await RiskAlert.filter(patient_id=patient.id).select_related("acknowledged_by").order_by("-created_at"),
        may_record=may_record,
        may_manage_team=may_manage,
        therapists=await User.filter(clinic_id=actor.clinic_id, role=Role.THERAPIST, disabled_at__isnull=True).order_by(
            "name"
        )
        if may_manage
        else [],
        panels=await panels.collect(actor, patient),
        break_glass_until=await access.break_glass_until(actor, patient) if not may_record else None,
    )
    await audit.record_read(
        actor,
        access.CHART_VIEWED,
        object_type="patient",
        object_id=patient.id,
        patient_id=patient.id,
        detail={"break_glass": True} if result.break_glass_until else {},
    )
    return result


async def change_care_team(actor: Actor, patient_id: int, therapist_id: int, add: bool) -> None:
    patient = await Patient.get_or_none(id=patient_id, clinic_id=actor.clinic_id)
    if patient is None or not await access.can(actor.user, MAY_CARE_TEAM_MANAGE, patient):
        raise NotFound("patient")
    therapist = await User.get_or_none(id=therapist_id, clinic_id=actor.clinic_id, role=Role.THERAPIST)
    if therapist is None:
        raise Invalid({"therapist_id": "Choose a therapist from this clinic."})
    async with in_transaction():
        if add:
            await CareTeam.get_or_create(
                patient=patient,
                therapist=therapist,
                defaults={"clinic_id": patient.clinic_id, "added_at": actor.now, "added_by_id": actor.user_id},
            )
        else:
            await CareTeam.filter(patient_id=patient.id, therapist_id=therapist.id).delete()
        await audit.record(
            actor,
            access.CARE_TEAM_CHANGED,
            object_type="patient",
            object_id=patient.id,
            patient_id=patient.id,
            detail={"therapist_id": therapist.id, "added": add},
        )


async def start_course(actor: Actor, patient_id: int, data: dict[str, Any] | None, errors: dict[str, str]) -> Course:
    """Start a treatment course, completing or stopping the open one as the form says (a patient has one open course
    at a time); Invalid (with the chart) when the form was refused."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    try:
        if data is None:
            raise Invalid(errors)
        async with in_transaction():
            await _lock(patient.id)
            current = await Course.filter(patient_id=patient.id, status__in=OPEN_COURSE).first()
            rules.raise_if(rules.new_course_problems(current, data))
            if current is not None:
                await _set_status(actor, current, data["close_current"])
            return await _create_course(actor, patient, data)
    except Invalid as exc:
        raise Invalid(exc.errors, page=await chart(actor, patient.id)) from None


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


async def set_course_status(actor: Actor, course_id: int, status: str | None, errors: dict[str, str]) -> Course:
    """Change a course's status; Invalid (with the chart) when the form was refused or another course is open."""
    course = await get_course_for(actor, course_id)
    try:
        if status is None:
            raise Invalid({f"status_{course.id}": message for message in errors.values()})
        async with in_transaction():
            await _lock(course.patient_id)
            other = await Course.filter(patient_id=course.patient_id, status__in=OPEN_COURSE).exclude(id=course.id)
            rules.raise_if(rules.reopen_problems(course, status, other[0] if other else None))
            await _set_status(actor, course, status)
    except Invalid as exc:
        raise Invalid(exc.errors, page=await chart(actor, course.patient_id)) from None
    return course


async def _set_status(actor: Actor, course: Course, status: str) -> None:
    await Course.filter(id=course.id).update(status=status)
    await audit.record(
        actor,
        access.COURSE_STATUS_CHANGED,
        object_type="course",
        object_id=course.id,
        patient_id=course.patient_id,
        detail={"from": str(course.status), "to": status},
    )


async def record_consent(actor: Actor, course_id: int, data: dict[str, Any] | None, errors: dict[str, str]) -> Consent:
    """Record a consent on a course; Invalid (with the chart) when the form was refused."""
    course = await get_course_for(actor, course_id)
    if data is None:
        raise Invalid(errors, page=await chart(actor, course.patient_id))
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


@dataclass
class Teams:
    patients: list[Patient]
    members: dict[int, list[User]]
    therapists: list[User]


async def care_teams(actor: Actor) -> Teams:
    """Every patient's care team (names only: admins see no clinical content), for assigning therapists."""
    await require(actor.user, MAY_CARE_TEAM_MANAGE)
    patients = await Patient.filter(clinic_id=actor.clinic_id).select_related("user").order_by("user__name")
    links = await CareTeam.filter(clinic_id=actor.clinic_id).select_related("therapist").order_by("added_at")
    therapists = await User.filter(clinic_id=actor.clinic_id, role=Role.THERAPIST, disabled_at__isnull=True)
    await audit.record_read(actor, access.CARE_TEAMS_VIEWED, object_type="clinic", object_id=actor.clinic_id)
    members: dict[int, list[User]] = {p.id: [] for p in patients}
    for link in links:
        members.setdefault(link.patient_id, []).append(link.therapist)
    return Teams(patients, members, sorted(therapists, key=lambda t: t.name))
