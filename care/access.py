"""Who may see and change care records, and the permission-checked lookups every handler goes through.

Strangers (another clinic, a therapist outside the care team, any other patient) get NotFound, exactly as if the
record did not exist. Someone who may see a record but not change it (a supervisor) gets Forbidden on writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.queryset import QuerySet

from care import reads
from care.clinic_settings import ClinicSettings
from care.models import BreakGlass, CareTeam, Infusion, MeasureResponse, Patient, RiskAlert
from server import audit
from server.actor import Actor
from server.errors import Forbidden, NotFound
from server.models import Clinic, Role, User
from server.policy import Rule, can

PATIENT_CREATED = audit.define("patient.created", "Staff created a patient (account and profile).")
CHART_VIEWED = audit.define("patient.chart_viewed", "Someone opened a patient's chart.")
CARE_TEAM_CHANGED = audit.define("care_team.changed", "A therapist was added to or removed from a care team.")
CARE_TEAMS_VIEWED = audit.define("care_teams.viewed", "A supervisor or admin viewed the clinic's care-team list.")
CASELOAD_VIEWED = audit.define("caseload.viewed", "A clinician viewed their caseload list.")
COURSE_CREATED = audit.define("course.created", "A treatment course was started.")
COURSE_STATUS_CHANGED = audit.define("course.status_changed", "A course's status changed.")
CONSENT_RECORDED = audit.define("consent.recorded", "A consent was recorded on a course.")
INFUSION_CREATED = audit.define("infusion.created", "An infusion record was created.")
INFUSION_VIEWED = audit.define("infusion.viewed", "Someone opened an infusion record.")
INFUSION_FORM_VIEWED = audit.define(
    "infusion.form_viewed", "Someone opened the form to record a new infusion for a patient, or to edit one."
)
INFUSION_UPDATED = audit.define("infusion.updated", "An infusion record was changed.")
INFUSION_SIGNED = audit.define(
    "infusion.signed", "The clinician who gave the dose signed and locked an infusion record (after step-up)."
)
INFUSION_STEP_UP_FAILED = audit.define(
    "infusion.step_up_failed", "Signing an infusion record was refused: wrong password."
)
INFUSION_AMENDED = audit.define(
    "infusion.amended", "A signed infusion record was amended, with a reason (names of the fields changed)."
)
VITALS_STRUCK = audit.define("vitals.struck", "A wrong vital-sign reading was struck through with a reason (kept).")
VITALS_RECORDED = audit.define("vitals.recorded", "A row of vital signs was added to an infusion.")
MEASURE_SUBMITTED = audit.define("measure.submitted", "A PHQ-9, GAD-7 or C-SSRS was recorded.")
MEASURE_VIEWED = audit.define("measure.viewed", "Someone viewed a measure result.")
MEASURE_FORM_VIEWED = audit.define(
    "measure.form_viewed", "Someone opened the form to enter a paper questionnaire, or a C-SSRS, for a patient."
)
PROGRESS_VIEWED = audit.define("progress.viewed", "A patient viewed their own progress chart.")
ALERT_RAISED = audit.define("alert.raised", "A risk alert was raised for a care team.")
ALERTS_VIEWED = audit.define("alerts.viewed", "A clinician viewed the open risk alerts list.")
ALERT_RESOLVED_BY_NOTE = audit.define(
    "alert.resolved_by_note", "A risk alert was closed by a signed note whose risk assessment addresses it."
)
ALERT_ACKNOWLEDGED = audit.define("alert.acknowledged", "A clinician acknowledged a risk alert with the action taken.")
GLASS_GRANTED = audit.define(
    "break_glass.granted",
    "HIGH PRIORITY: a clinician broke the glass for emergency access "
    "to a patient outside their care team (reason recorded).",
)
GLASS_DENIED = audit.define(
    "break_glass.denied", "A break-the-glass request was refused (wrong password or bad input)."
)


# Who can be on a patient's care team: therapists (preparation, integration, notes) and medical staff (dosing). A care
# team is how a clinician reaches a patient; supervisors reach the clinic's patients without one.
TEAM_ROLES = frozenset({Role.THERAPIST, Role.MEDICAL})


async def care_team(user: User, patient_id: int) -> list[CareTeam]:
    """The patient's care team with each member, in the order they joined: one statement per patient per request,
    remembered on this user object, which lives for one request (the session lookup loads a fresh one each time). A
    chart or infusion page asks who is on the team several times and shows the team too."""
    memo: dict[int, list[CareTeam]] = user.__dict__.setdefault("_care_team_memo", {})
    if patient_id not in memo:
        memo[patient_id] = await reads.CARE_TEAM.all(patient_id=patient_id)
    return memo[patient_id]


def _knows_on_team(user: User, patient_id: int, on_team: bool) -> None:
    """Remember, for this request, what a lookup that read it with the record found (see care_team)."""
    user.__dict__.setdefault("_on_team_memo", {})[patient_id] = on_team


async def on_care_team(user: User, patient_id: int) -> bool:
    """Whether the user is on the patient's care team (see care_team; an infusion's lookup reads it with the row)."""
    known = user.__dict__.get("_on_team_memo", {}).get(patient_id)
    if known is not None:
        return bool(known)
    return any(link.therapist_id == user.id for link in await care_team(user, patient_id))


async def _may_view(user: User, patient: Patient) -> bool:
    if patient.clinic_id != user.clinic_id:
        return False
    if user.role == Role.SUPERVISOR:
        return True
    if user.role in TEAM_ROLES:
        return await on_care_team(user, patient.id)
    return user.role == Role.PATIENT and patient.user_id == user.id


async def _may_record(user: User, patient: Patient) -> bool:
    return user.role in TEAM_ROLES and patient.clinic_id == user.clinic_id and await on_care_team(user, patient.id)


async def _may_record_infusion(user: User, patient: Patient) -> bool:
    return user.role == Role.MEDICAL and await _may_record(user, patient)


async def _may_record_vitals(user: User, patient: Patient) -> bool:
    if user.role == Role.THERAPIST:
        loaded = getattr(user, "_clinic", None)  # the session's lookup loads the clinic with the user
        clinic = loaded if isinstance(loaded, Clinic) else await Clinic.get(id=user.clinic_id)
        if not ClinicSettings.of(clinic).therapists_record_vitals:
            return False
    return await _may_record(user, patient)


# Medical staff whose licence includes making a diagnosis (medical staff working as RN or CRNA record medications and
# allergies, and leave diagnoses to the prescriber or the therapist).
DIAGNOSING_CREDENTIALS = frozenset({"MD", "DO", "NP", "PA"})


async def _may_diagnose(user: User, patient: Patient) -> bool:
    if user.role == Role.MEDICAL and user.credential not in DIAGNOSING_CREDENTIALS:
        return False
    return await _may_record(user, patient)


def _may_create(user: User, _obj: Any) -> bool:
    return user.role in {Role.THERAPIST, Role.MEDICAL, Role.SUPERVISOR}


def _may_manage_team(user: User, patient: Patient | None) -> bool:
    return user.role in {Role.SUPERVISOR, Role.ADMIN} and (patient is None or patient.clinic_id == user.clinic_id)


async def _may_ack(user: User, alert: RiskAlert) -> bool:
    if alert.clinic_id != user.clinic_id:
        return False
    return user.role == Role.SUPERVISOR or (user.role == Role.THERAPIST and await on_care_team(user, alert.patient_id))


def _may_self_report(user: User, patient: Patient) -> bool:
    return user.role == Role.PATIENT and patient.user_id == user.id


MAY_PATIENT_VIEW = Rule(
    "patient.view",
    "See a patient's chart, infusions, measures and alerts: care-team therapists and medical staff, supervisors of"
    " the clinic, and the patient (own progress only).",
    _may_view,
)

MAY_PATIENT_RECORD = Rule(
    "patient.record",
    "Record courses, consent, paper measures and C-SSRS, medications, allergies (or “no known allergies”) and"
    " contacts for a patient: care-team therapists and medical staff.",
    _may_record,
)

MAY_DIAGNOSIS_RECORD = Rule(
    "diagnosis.record",
    "Add or change a patient's ICD-10-CM diagnoses: care-team therapists, and care-team medical staff licensed to"
    " diagnose (MD, DO, NP, PA). Nurses (RN, CRNA) on the team read them.",
    _may_diagnose,
)

MAY_INFUSION_RECORD = Rule(
    "infusion.record",
    "Record, edit and amend an infusion (dose, pre-dose checklist, discharge) and sign the record of a dose one gave:"
    " care-team medical staff. Therapists and supervisors read it.",
    _may_record_infusion,
)

MAY_VITALS_RECORD = Rule(
    "vitals.record",
    "Add a row of vital signs to an infusion, or strike a wrong one through: care-team medical staff, and care-team"
    " therapists when the clinic's `therapists_record_vitals` setting is on (off by default).",
    _may_record_vitals,
)

MAY_PATIENT_CREATE = Rule(
    "patient.create",
    "Create a patient in one's own clinic: therapists, medical staff (who join the care team, as therapists do) and"
    " supervisors.",
    _may_create,
)

MAY_CARE_TEAM_MANAGE = Rule(
    "care_team.manage",
    "Add or remove therapists and medical staff on a patient's care team: supervisors and admins of the clinic.",
    _may_manage_team,
)

MAY_ALERT_ACKNOWLEDGE = Rule(
    "alert.acknowledge",
    "Acknowledge a risk alert: care-team therapists and supervisors of the clinic.",
    _may_ack,
)

MAY_MEASURE_SELF_REPORT = Rule(
    "measure.self_report",
    "Fill in one's own PHQ-9 or GAD-7: patients.",
    _may_self_report,
)


def _may_break_glass(user: User, _obj: Any) -> bool:
    return user.role == Role.THERAPIST


MAY_BREAK_GLASS_REQUEST = Rule(
    "break_glass.request",
    "Request time-boxed emergency read access to a patient of one's clinic: therapists.",
    _may_break_glass,
)


async def break_glass_until(actor: Actor, patient: Patient) -> datetime | None:
    """When the actor's emergency (break-the-glass) access to this patient ends, if they have it now (grants are
    made by care.glass.request_access)."""
    if actor.role != Role.THERAPIST:
        return None
    grant = (
        await BreakGlass.filter(user_id=actor.user_id, patient_id=patient.id, expires_at__gt=actor.now)
        .order_by("-expires_at")
        .first()
    )
    return grant.expires_at if grant else None


async def _check(actor: Actor, patient: Patient, write: bool | Rule) -> None:
    if not await can(actor.user, MAY_PATIENT_VIEW, patient):
        # Break the glass grants time-boxed read access only; the lookup stays 404 before and after it.
        if write or await break_glass_until(actor, patient) is None:
            raise NotFound("patient")
        return
    rule = MAY_PATIENT_RECORD if write is True else write
    if isinstance(rule, Rule) and not await can(actor.user, rule, patient):
        raise Forbidden(rule.action)


async def get_patient_for(actor: Actor, patient_id: int, *, write: bool | Rule = False) -> Patient:
    """The patient, if the actor may see them (NotFound otherwise); `write` also requires recording rights (True:
    MAY_PATIENT_RECORD, or the rule given)."""
    found, team = await reads.PATIENT_AND_TEAM.run(patient_id=patient_id, clinic_id=actor.clinic_id)
    if not found:
        raise NotFound("patient")
    patient: Patient = found[0]
    if actor.user is not None:  # the team, read with the patient, answers care_team() for the rest of the request
        actor.user.__dict__.setdefault("_care_team_memo", {})[patient.id] = team
    await _check(actor, patient, write)
    return patient


async def get_infusion_for(actor: Actor, infusion_id: int, *, write: bool | Rule = False) -> Infusion:
    infusion = await reads.INFUSION.first(infusion_id=infusion_id, clinic_id=actor.clinic_id, user_id=actor.user_id)
    if infusion is None or actor.role == Role.PATIENT:
        raise NotFound("infusion")
    _knows_on_team(actor.user, infusion.patient_id, infusion.on_team is not None)  # type: ignore[arg-type]
    await _check(actor, infusion.patient, write)
    return infusion


async def get_measure_for(actor: Actor, measure_id: int) -> MeasureResponse:
    measure = await MeasureResponse.get_or_none(id=measure_id, clinic_id=actor.clinic_id).select_related("patient")
    if measure is None:
        raise NotFound("measure")
    await _check(actor, measure.patient, write=False)
    return measure


async def get_alert_for(actor: Actor, alert_id: int) -> RiskAlert:
    alert = await RiskAlert.get_or_none(id=alert_id, clinic_id=actor.clinic_id).select_related("patient__user")
    if alert is None or not await can(actor.user, MAY_ALERT_ACKNOWLEDGE, alert):
        raise NotFound("alert")
    return alert


def visible_patients(actor: Actor) -> QuerySet[Patient]:
    """Patients the actor may list: the clinic for supervisors, their care teams' for therapists and medical staff,
    nobody else."""
    return patients_visible_to(actor.role, actor.user_id if actor.user else None, actor.clinic_id)


def patients_visible_to(role: Role | None, user_id: int | None, clinic_id: int | None) -> QuerySet[Patient]:
    """visible_patients for a role, user and clinic given apart (a compiled query's parameters)."""
    query = Patient.filter(clinic_id=clinic_id)
    if role == Role.SUPERVISOR:
        return query
    if role in TEAM_ROLES:
        return query.filter(care_team__therapist_id=user_id)
    return query.filter(id=-1)


async def own_patient(actor: Actor) -> Patient:
    """The signed-in patient's own profile."""
    if actor.role != Role.PATIENT:
        raise NotFound("patient")
    patient = await reads.OWN_PATIENT.first(user_id=actor.user_id)
    if patient is None:
        raise NotFound("patient")
    return patient
