"""What a care record may say. An infusion's times have happened (or are booked) and follow each other; the pre-dose
checklist is complete before "dose started" is set; the course's facts hold (not dosed before it started, esketamine
only in a Spravato course, the first Spravato dose, consent signed by the day of the dose); a patient has one open
course at a time. Each check returns a message per form field. care/forms.py runs the checks that need only the
form; care/infusions.py and care/patients.py load the course's facts (course_facts) and run the rest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from care import clinical
from care.models import (
    OPEN_COURSE,
    Agent,
    BpDecision,
    Consent,
    ConsentKind,
    Course,
    CourseStatus,
    Infusion,
    Patient,
    Protocol,
)
from server.errors import Invalid

# Not clinical: the clocks of the devices staff type on drift a little, so a dose typed as starting "now" may read a
# few minutes ahead of the server.
CLOCK_ALLOWANCE = timedelta(minutes=5)
HAPPENED = ("started_at", "ended_at", "discharge_ready_at")

# The informed consent a dose needs, by the course's protocol (any one of the kinds); a Spravato course needs the REMS
# patient enrolment too. KAP consent covers the off-label ketamine it uses.
TREATMENT_CONSENT = {
    Protocol.IV_INDUCTION: (ConsentKind.OFF_LABEL_KETAMINE, ConsentKind.KAP),
    Protocol.KAP_LOZENGE: (ConsentKind.KAP,),
    Protocol.SPRAVATO: (ConsentKind.SPRAVATO_TREATMENT,),
    Protocol.CUSTOM: (ConsentKind.OFF_LABEL_KETAMINE, ConsentKind.KAP),
}
CONSENT_LABELS = {
    ConsentKind.OFF_LABEL_KETAMINE: "off-label ketamine",
    ConsentKind.KAP: "ketamine-assisted psychotherapy (KAP)",
    ConsentKind.SPRAVATO_TREATMENT: "Spravato treatment",
    ConsentKind.SPRAVATO_REMS: "Spravato REMS patient enrolment",
}
CHECKS = (
    ("escort_confirmed", "Confirm an adult escort for discharge before the dose is started."),
    ("fasting_confirmed", "Confirm the patient has fasted before the dose is started."),
    ("medications_reviewed", "Review the patient's medications before the dose is started."),
)


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid(errors)


def local(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%a %-d %b %Y, %H:%M")


def time_problems(m: Mapping[str, datetime | None], agent: str | None, now: datetime, tz: str) -> dict[str, str]:
    """What has happened is not in the future, and follows the dose start: end, then ready to leave (for Spravato at
    least the REMS observation time after the dose)."""
    errors: dict[str, str] = {}
    for name in HAPPENED:
        moment = m.get(name)
        if moment and moment > now + CLOCK_ALLOWANCE:
            errors[name] = f"This is in the future (it is now {local(now, tz)}): record it once it has happened."
    if "started_at" in errors:
        errors["started_at"] = (
            f"A dose can't have started in the future (it is now {local(now, tz)}). "
            "Leave “Dose started” empty for a booked session."
        )
    started, ended, ready = m.get("started_at"), m.get("ended_at"), m.get("discharge_ready_at")
    if started is None:
        for name in ("ended_at", "discharge_ready_at"):
            if m.get(name):
                errors.setdefault(name, "Enter when the dose started first.")
        return errors
    if ended and ended < started:
        errors.setdefault("ended_at", "This must be after the start time.")
    observe = timedelta(minutes=clinical.REMS_OBSERVATION_MINUTES)
    if ready and ready < started:
        errors.setdefault("discharge_ready_at", "This must be after the start time.")
    elif ready and ended and ready < ended:
        errors.setdefault("discharge_ready_at", "This must be at or after the end of the dose.")
    elif ready and agent == Agent.ESKETAMINE and ready < started + observe:
        errors.setdefault(
            "discharge_ready_at",
            f"Spravato needs at least {clinical.REMS_OBSERVATION_MINUTES} minutes of observation after the dose "
            f"(REMS): ready to leave no earlier than {local(started + observe, tz)}.",
        )
    return errors


def high_dose_problems(dose: Decimal | None, confirmed: bool, reason: str) -> dict[str, str]:
    """An IV/IM dose above the studied range is refused until it is confirmed with a reason."""
    limit = clinical.DOSE_WARN_ABOVE_MG_PER_KG
    if dose is None or dose <= limit or (confirmed and reason):
        return {}
    errors = {
        "dose_mg_per_kg": f"{dose} mg/kg is above {limit} mg/kg, the top of the range studied for depression. "
        "To give it, tick “I confirm this dose” and write the clinical reason."
    }
    if confirmed:
        errors["high_dose_reason"] = f"Write why this patient needs more than {limit} mg/kg."
    elif reason:
        errors["high_dose_confirmed"] = f"Tick to confirm the dose above {limit} mg/kg."
    return errors


def pre_dose_problems(v: Mapping[str, Any]) -> dict[str, str]:
    """A pre-dose BP above 140/90 needs a decision and its reason; a dose may be started only with the checklist
    complete (pre-dose BP, escort, fasting, medication review) and not after a decision to delay."""
    errors: dict[str, str] = {}
    systolic, diastolic = v.get("pre_dose_systolic"), v.get("pre_dose_diastolic")
    high = systolic is not None and diastolic is not None and clinical.pre_dose_bp_high(systolic, diastolic)
    if high and not v.get("bp_decision"):
        errors["bp_decision"] = (
            f"Pre-dose BP {systolic}/{diastolic} is above {clinical.PRE_DOSE_SYSTOLIC_MAX}/"
            f"{clinical.PRE_DOSE_DIASTOLIC_MAX}: record whether the dose goes ahead or is delayed."
        )
    if high and not v.get("bp_decision_reason"):
        errors["bp_decision_reason"] = "Write the reason for the decision."
    if not v.get("started_at"):
        return errors
    if high and v.get("bp_decision") == BpDecision.DELAY:
        errors["bp_decision"] = "The dose was delayed: leave “Dose started” empty, or record that it went ahead."
    for name, value in (("pre_dose_systolic", systolic), ("pre_dose_diastolic", diastolic)):
        if value is None:
            errors[name] = "Record the pre-dose blood pressure before the dose is started."
    for name, message in CHECKS:
        if not v.get(name):
            errors[name] = message
    return errors


@dataclass(frozen=True)
class ConsentLine:
    """One consent the course needs before a dose, and the earliest signing on record (None when missing)."""

    key: str  # the form's name for it: "consent" or "rems_enrolment"
    label: str
    kinds: tuple[ConsentKind, ...]
    signed_on: date | None

    @property
    def names(self) -> str:
        return " or ".join(CONSENT_LABELS[k] for k in self.kinds)


def consent_lines(course: Course, consents: list[Consent]) -> list[ConsentLine]:
    wanted = [("consent", "Informed consent", TREATMENT_CONSENT[course.protocol])]
    if course.protocol == Protocol.SPRAVATO:
        wanted.append(("rems_enrolment", "REMS patient enrolment", (ConsentKind.SPRAVATO_REMS,)))
    lines = []
    for key, label, kinds in wanted:
        signed = [c.signed_on for c in consents if c.kind in kinds]
        lines.append(ConsentLine(key, label, kinds, min(signed, default=None)))
    return lines


@dataclass
class CourseFacts:
    course: Course
    born: date
    consents: list[ConsentLine]
    others: list[tuple[str, datetime]] = field(default_factory=list)  # the course's other sessions: agent, time


async def course_facts(course: Course, patient: Patient, infusion_id: int | None = None) -> CourseFacts:
    """What the course checks need: its consents, the patient's date of birth, its other sessions."""
    consents = await Consent.filter(course_id=course.id)
    rows = Infusion.filter(course_id=course.id)
    rows = rows.exclude(id=infusion_id) if infusion_id else rows
    others = [(a, s or b) for a, s, b in await rows.values_list("agent", "started_at", "scheduled_at")]
    return CourseFacts(course, patient.date_of_birth, consent_lines(course, consents), others)


def course_problems(v: Any, facts: CourseFacts, tz: str) -> dict[str, str]:
    """An infusion (InfusionData) against its course: within the course's dates, esketamine only in a Spravato
    course with the labelled first dose, and consent signed by the day the dose is started."""
    errors: dict[str, str] = {}
    zone, course = ZoneInfo(tz), facts.course
    for name in ("scheduled_at", "started_at"):
        moment = getattr(v, name)
        if moment and moment.astimezone(zone).date() < course.started_on:
            errors[name] = f"This is before the course started ({course.started_on:%-d %b %Y})."
    if v.agent == Agent.ESKETAMINE and course.protocol != Protocol.SPRAVATO:
        errors["agent"] = "Esketamine (Spravato) is given only in a Spravato course: start one on the chart first."
    elif v.agent == Agent.ESKETAMINE and v.spravato_mg is not None:
        errors.update(_first_spravato_dose(v, facts, zone))
    if v.started_at:
        day = v.started_at.astimezone(zone).date()
        for line in facts.consents:
            if line.signed_on is None or line.signed_on > day:
                errors[line.key] = (
                    f"{line.label} ({line.names}) is not signed on this course by {day:%-d %b %Y}: "
                    "record it on the chart before the dose is started."
                )
    return errors


def _first_spravato_dose(v: Any, facts: CourseFacts, zone: ZoneInfo) -> dict[str, str]:
    moment = v.started_at or v.scheduled_at
    if any(agent == Agent.ESKETAMINE and at < moment for agent, at in facts.others):
        return {}
    age = clinical.age_on(facts.born, moment.astimezone(zone).date())
    if age >= clinical.ELDERLY_AGE:
        first = clinical.SPRAVATO_FIRST_DOSE_ELDERLY_MG
        why = f"the patient is {age}: the first Spravato dose at {clinical.ELDERLY_AGE} or older is {first} mg."
    else:
        first = clinical.SPRAVATO_FIRST_DOSE_MG
        why = f"the first dose is {first} mg (the label's day-1 dose); other doses follow it."
    if v.spravato_mg == first:
        return {}
    return {"spravato_mg": f"This is the course's first Spravato session, and {why}"}


def new_course_problems(current: Course | None, data: Mapping[str, Any]) -> dict[str, str]:
    """A patient has one open course: a new one says what became of the current one, and does not start before it."""
    if current is None:
        return {}
    errors: dict[str, str] = {}
    if data.get("current_course_id") not in (None, current.id):  # another tab closed the course the form showed
        errors["close_current"] = (
            f"The open course is now the {course_name(current)} one: check the chart and choose again what "
            "becomes of it."
        )
    elif data.get("close_current") not in (CourseStatus.COMPLETED, CourseStatus.STOPPED):
        errors["close_current"] = (
            f"The {course_name(current)} course is still {current.status}: choose whether it was completed or "
            "stopped. A patient has one open course at a time."
        )
    if data["started_on"] < current.started_on:
        errors["started_on"] = f"The new course can't start before the current one ({current.started_on:%-d %b %Y})."
    return errors


def reopen_problems(course: Course, status: str, other_open: Course | None) -> dict[str, str]:
    if status not in OPEN_COURSE or other_open is None:
        return {}
    return {
        f"status_{course.id}": f"The {course_name(other_open)} course is open: complete or stop it before this one "
        "becomes active again. A patient has one open course at a time."
    }


def course_name(course: Course) -> str:
    return f"{str(course.protocol).replace('_', ' ')} ({course.started_on:%-d %b %Y})"
