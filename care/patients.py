"""Patients, care teams, courses and consent: the use-cases behind /caseload and the patient chart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from tortoise.expressions import Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from care import access, panels, reads, risk
from care.access import MAY_CARE_TEAM_MANAGE, MAY_PATIENT_CREATE
from care.clinical import trend
from care.models import (
    OPEN_COURSE,
    CareTeam,
    Consent,
    Course,
    CourseStatus,
    Infusion,
    Instrument,
    MeasureResponse,
    Patient,
    RiskAlert,
)
from server import accounts, audit, compiled, once
from server.actor import Actor
from server.compiled_together import Batch
from server.errors import Invalid, NotFound
from server.models import Clinic, User
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
    actor: Actor, key: str, data: NewPatient | None, errors: dict[str, str], typed: Mapping[str, Any]
) -> Patient:
    """Create the patient's account and profile; a therapist who creates a patient joins their care team. A refused
    form reports the account's problems too (from the `typed` email, name and password), so one submit shows every
    message. A repeat of the same form (its `key`) returns the patient it made."""
    await require(actor.user, MAY_PATIENT_CREATE)
    if (first := await once.repeat(actor, key, "patient")) is not None:
        return await Patient.get(id=first)
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

    async def make() -> Patient:
        return await _insert_patient(actor, clinic, data, password_hash)

    return await once.create(actor, key, "patient", make, lambda pk: Patient.get(id=pk))


async def _insert_patient(actor: Actor, clinic: Clinic, data: NewPatient, password_hash: str) -> Patient:
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
        if actor.role in access.TEAM_ROLES:
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


class ShownCourse(NamedTuple):
    id: int
    status: CourseStatus
    planned_count: int
    started_on: date


@dataclass
class CaseloadRow:
    id: int
    name: str
    course: ShownCourse | None = None
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


def course_progress(course: Course | ShownCourse, given: int) -> str:
    """How far a course has got, counting the doses given: "Infusion 5 of 6" while it is open."""
    planned = course.planned_count
    if course.status not in OPEN_COURSE:
        return f"Course {course.status}: {given} of {planned} given"
    if given == 0:
        return f"None given yet ({planned} planned)"
    return f"Infusion {given} of {planned}" if given <= planned else f"Infusion {given} ({planned} planned)"


# One row per patient and course (a patient without one: one row, no course), each with the course's sessions given,
# and the patient's next session not yet begun, last two PHQ-9 totals and open alerts: the whole list, one statement.
def _phq9() -> QuerySet[MeasureResponse]:
    latest_first = MeasureResponse.filter(patient_id=_PATIENT, instrument=Instrument.PHQ9)
    return latest_first.order_by("-taken_at", "-id")


_PATIENT = compiled.column(Patient, "id")  # the caseload row's patient, in each subquery


_CASELOAD = compiled.query(
    lambda role, user_id, clinic_id, now: (
        access.patients_visible_to(role, user_id, clinic_id)
        .annotate(
            done=Subquery(
                Infusion.filter(course_id=compiled.column(Course, "id"), started_at__not_isnull=True)
                .annotate(n=Count("id"))
                .values("n")
            ),
            next_at=Subquery(
                Infusion.filter(patient_id=_PATIENT, started_at__isnull=True, scheduled_at__gte=now)
                .order_by("scheduled_at")
                .limit(1)
                .values("scheduled_at")
            ),
            phq9_last=Subquery(_phq9().limit(1).values("total")),
            phq9_before=Subquery(_phq9().offset(1).limit(1).values("total")),
            open_alerts=Subquery(  # the clinic's open alerts first: that is what risk_alert is indexed by
                RiskAlert.filter(clinic_id=clinic_id, acknowledged_at__isnull=True, patient_id=_PATIENT)
                .annotate(n=Count("id"))
                .values("n")
            ),
        )
        .order_by("user__name", "id")
        .values(
            "id",
            "done",
            "next_at",
            "phq9_last",
            "phq9_before",
            "open_alerts",
            name="user__name",
            course_id="courses__id",
            course_status="courses__status",
            planned_count="courses__planned_count",
            started_on="courses__started_on",
        )
    )
)
_AT = Infusion._meta.fields_map["scheduled_at"]


async def caseload(actor: Actor) -> Caseload:
    """The actor's patients with course progress, next session, PHQ-9 trend and open alerts; 1 statement, any size."""
    rows: dict[int, CaseloadRow] = {}
    mine = actor.user_id if actor.role in access.TEAM_ROLES else None  # a supervisor's list is the clinic's
    for r in await _CASELOAD.all(role=actor.role, user_id=mine, clinic_id=actor.clinic_id, now=actor.now):
        row = rows.get(r["id"])
        if row is None:
            row = rows[r["id"]] = CaseloadRow(r["id"], r["name"], open_alerts=r["open_alerts"] or 0)
            row.next_at = _AT.to_python_value(r["next_at"])
            row.phq9 = [t for t in (r["phq9_before"], r["phq9_last"]) if t is not None]
        if r["course_id"] is not None:
            course = ShownCourse(r["course_id"], r["course_status"], r["planned_count"], r["started_on"])
            if _shown_before(course, row.course):
                row.course, row.done = course, r["done"] or 0
    await audit.record_read(actor, access.CASELOAD_VIEWED, object_type="caseload", detail={"patients": len(rows)})
    extra = await panels.collect(actor)
    return Caseload(list(rows.values()), extra)


def _shown_before(course: ShownCourse, shown: ShownCourse | None) -> bool:
    """Whether `course` is the one to show rather than `shown`: the open course (the earliest, were there two), else
    the latest started."""
    if shown is None:
        return True
    key, other = (course.started_on, course.id), (shown.started_on, shown.id)
    if (course.status in OPEN_COURSE) != (shown.status in OPEN_COURSE):
        return course.status in OPEN_COURSE
    return key < other if course.status in OPEN_COURSE else key > other


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
    may_dose: bool  # may record an infusion (medical staff on the care team)
    may_manage_team: bool
    therapists: list[User]
    panels: list[panels.Rendered]
    break_glass_until: datetime | None = None

    @property
    def risk(self) -> list[risk.RiskItem]:
        """C-SSRS screens and every alert, newest first, with who acknowledged or resolved what."""
        return risk.history(self.measures, self.alerts)

    @property
    def open_alerts(self) -> list[RiskAlert]:
        return risk.by_severity([a for a in self.alerts if a.acknowledged_at is None])

    @property
    def open_course(self) -> Course | None:
        return next((c for c in self.courses if c.status in OPEN_COURSE), None)

    def progress(self, course: Course) -> str:
        return course_progress(course, sum(1 for i in self.infusions if i.course_id == course.id and i.started_at))


_LISTS = {
    "courses": reads.COURSES,
    "consents": reads.CONSENTS,
    "infusions": reads.INFUSIONS,
    "measures": reads.MEASURES,
    "alerts": reads.ALERTS,
}


async def chart(actor: Actor, patient_id: int) -> Chart:
    """Everything on the patient chart, read and audited in one transaction."""
    patient = await access.get_patient_for(actor, patient_id)
    may_record = await access.can(actor.user, access.MAY_PATIENT_RECORD, patient)
    may_dose = await access.can(actor.user, access.MAY_INFUSION_RECORD, patient)
    may_manage = await access.can(actor.user, MAY_CARE_TEAM_MANAGE, patient)
    batch = Batch()  # the chart's lists and its panels' reads: one statement
    lists = {name: batch.want(query, patient_id=patient.id) for name, query in _LISTS.items()}
    candidates = batch.want(reads.TEAM_CANDIDATES, clinic_id=actor.clinic_id) if may_manage else None
    shown = await panels.collect(actor, patient, batch=batch)
    result = Chart(
        patient=patient,
        team=await access.care_team(actor.user, patient.id),  # type: ignore[arg-type]
        **{name: batch.got(handle) for name, handle in lists.items()},
        may_record=may_record,
        may_dose=may_dose,
        may_manage_team=may_manage,
        therapists=batch.got(candidates) if candidates is not None else [],
        panels=shown,
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
    therapist = await User.get_or_none(id=therapist_id, clinic_id=actor.clinic_id, role__in=access.TEAM_ROLES)
    if therapist is None:
        raise Invalid({"therapist_id": "Choose a therapist or medical staff member from this clinic."})
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
    therapists = await User.filter(clinic_id=actor.clinic_id, role__in=access.TEAM_ROLES, disabled_at__isnull=True)
    await audit.record_read(actor, access.CARE_TEAMS_VIEWED, object_type="clinic", object_id=actor.clinic_id)
    members: dict[int, list[User]] = {p.id: [] for p in patients}
    for link in links:
        members.setdefault(link.patient_id, []).append(link.therapist)
    return Teams(patients, members, sorted(therapists, key=lambda t: t.name))
