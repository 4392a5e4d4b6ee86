"""Infusion records, their vitals and flags, and the Spravato REMS checks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from tortoise.transactions import in_transaction

from care import access, calendar, panels, reads, rules
from care import infusion_forms as forms
from care.clinical import (
    REMS_BP_CHECKPOINTS,
    REMS_FORM_DUE_DAYS,
    REMS_OBSERVATION_MINUTES,
    Reading,
    total_mg,
    vital_flags,
)
from care.models import (
    Agent,
    Course,
    Infusion,
    InfusionVersion,
    MeasureResponse,
    Patient,
    RouteOfAdmin,
    VitalSign,
)
from server import audit, once
from server.actor import Actor
from server.errors import Invalid
from server.models import Role, User


@dataclass
class InfusionData:
    number: int
    phase: str
    scheduled_at: datetime
    route: str
    agent: str
    started_at: datetime | None = None
    ended_at: datetime | None = None
    dose_mg_per_kg: Decimal | None = None
    weight_kg: Decimal | None = None
    spravato_mg: Decimal | None = None
    lozenge_mg: Decimal | None = None
    high_dose_reason: str = ""
    lot_number: str = ""
    administered_by_id: int | None = None
    cadss: int | None = None
    moaas: int | None = None
    adverse_events: list[str] = field(default_factory=list)
    adverse_other: str = ""
    discharge_ready_at: datetime | None = None
    escort_confirmed: bool = False
    rems: dict[str, Any] = field(default_factory=dict)
    pre_dose_systolic: int | None = None
    pre_dose_diastolic: int | None = None
    bp_decision: str = ""
    bp_decision_reason: str = ""
    fasting_confirmed: bool = False
    medications_reviewed: bool = False

    def columns(self) -> dict[str, Any]:
        values = asdict(self)
        spravato, lozenge = values.pop("spravato_mg"), values.pop("lozenge_mg")
        if self.agent == Agent.ESKETAMINE:
            values.update(dose_mg_per_kg=None, total_mg=spravato)
        elif self.route == RouteOfAdmin.SUBLINGUAL:
            values.update(dose_mg_per_kg=None, total_mg=lozenge, rems={})
        else:
            values["total_mg"] = total_mg(self.dose_mg_per_kg, self.weight_kg)  # type: ignore[arg-type]
            values["rems"] = {}
        return values


async def _check_links(
    actor: Actor, data: InfusionData, course: Course, patient: Patient, infusion_id: int | None = None
) -> None:
    """The record against the database: the clinician, the number, and the course's rules (care/rules.py)."""
    facts = await rules.course_facts(course, patient, infusion_id)
    errors = rules.course_problems(data, facts, actor.tz)
    kept = (
        infusion_id is not None
        and await Infusion.filter(id=infusion_id, administered_by_id=data.administered_by_id).exists()
    )  # a record from before the medical role keeps the clinician it names
    if (
        data.administered_by_id is not None
        and not kept
        and not await User.filter(id=data.administered_by_id, clinic_id=actor.clinic_id, role=Role.MEDICAL).exists()
    ):
        errors["administered_by_id"] = "Choose a member of this clinic's medical staff."
    clash = Infusion.filter(course_id=course.id, number=data.number)
    if await (clash.exclude(id=infusion_id) if infusion_id else clash).exists():
        errors.setdefault("number", f"Infusion {data.number} already exists in this course.")
    if errors:
        raise Invalid(errors)


async def create_infusion(
    actor: Actor,
    patient_id: int,
    key: str,
    data: InfusionData | None,
    errors: dict[str, str],
    booking_id: int | None = None,
) -> Infusion:
    """Record an infusion in the patient's open course, completing the booked dosing session it was given for;
    Invalid (with the form's page) when refused. A repeat of the same form (its `key`) returns the record it made;
    two forms racing for one infusion number get 409."""
    patient = await access.get_patient_for(actor, patient_id, write=access.MAY_INFUSION_RECORD)
    if (first := await once.repeat(actor, key, "infusion")) is not None:
        return await Infusion.get(id=first)
    course = await forms.find_open_course(patient.id)
    try:
        if course is None or data is None:
            raise Invalid(errors | ({} if course else {"form": forms.NO_COURSE}))
        await _check_links(actor, data, course, patient)
    except Invalid as exc:
        raise await forms.refused(actor, patient, course, None, exc.errors) from None

    async def make() -> Infusion:
        infusion = await _insert_infusion(actor, patient, course, data)
        if booking_id:  # in the same transaction: the session is completed exactly when its record exists
            await calendar.complete_with_infusion(actor, booking_id, patient.id, infusion.id)
        return infusion

    page = partial(forms.page_for, actor, patient, course, None)
    return await once.create(actor, key, "infusion", make, lambda pk: Infusion.get(id=pk), page)


async def _insert_infusion(actor: Actor, patient: Patient, course: Course, data: InfusionData) -> Infusion:
    async with in_transaction():
        infusion = await Infusion.create(
            clinic_id=patient.clinic_id,
            course=course,
            patient=patient,
            created_at=actor.now,
            updated_at=actor.now,
            created_by_id=actor.user_id,
            **data.columns(),
        )
        await audit.record(
            actor,
            access.INFUSION_CREATED,
            object_type="infusion",
            object_id=infusion.id,
            patient_id=patient.id,
            detail={"number": data.number},
        )
    return infusion


AMEND = "This record is signed: say why you are amending it (up to 300 characters)."


async def update_infusion(
    actor: Actor,
    infusion_id: int,
    version: int | None,
    data: InfusionData | None,
    errors: dict[str, str],
    typed: Any,
    reason: str = "",
) -> Infusion:
    """Change a record from the version the form started at; Invalid (with the form's page) when refused, and 409
    with what was saved meanwhile beside the typed values when someone else saved first. A signed record changes only
    by an amendment with a `reason`, and each amended version is kept. The audit names the fields that changed."""
    infusion = await access.get_infusion_for(actor, infusion_id, write=access.MAY_INFUSION_RECORD)
    reason = reason.strip()
    unexplained = infusion.signed_at is not None and not 0 < len(reason) <= 300
    try:
        if data is None or unexplained:
            raise Invalid(errors | ({"amend_reason": AMEND} if unexplained else {}))
        await _check_links(actor, data, infusion.course, infusion.patient, infusion.id)
    except Invalid as exc:
        raise await forms.refused(actor, infusion.patient, infusion.course, infusion, exc.errors) from None
    changed = sorted(k for k, v in data.columns().items() if getattr(infusion, k) != v)
    async with in_transaction():
        written = await Infusion.filter(id=infusion.id, version=version or 0).update(
            version=(version or 0) + 1, updated_at=actor.now, **data.columns()
        )
        if written:
            detail = {"changed": changed, "version": (version or 0) + 1}
            where = {"object_type": "infusion", "object_id": infusion.id, "patient_id": infusion.patient_id}
            if infusion.signed_at is not None:
                await keep_version(actor, infusion.id, (version or 0) + 1, reason)
            action = access.INFUSION_AMENDED if infusion.signed_at is not None else access.INFUSION_UPDATED
            await audit.record(actor, action, detail=detail, **where)
    if not written:
        raise Invalid({"form": forms.STALE}, page=await forms.saved_meanwhile(actor, infusion_id, typed), status=409)
    return infusion


async def keep_version(actor: Actor, infusion_id: int, version: int, reason: str) -> None:
    """Keep the record as it now stands (inside the transaction that made it so), with who, when and why."""
    fresh = await Infusion.get(id=infusion_id)
    content = {k: str(v) for k, v in forms.form_values(fresh, actor.tz).items() if k != "version"}
    await InfusionVersion.create(
        infusion_id=infusion_id,
        version=version,
        content=content,
        reason=reason,
        saved_at=actor.now,
        saved_by_id=actor.user_id,
    )


@dataclass
class RemsStatus:
    observed_minutes: int | None
    observation_ok: bool
    checkpoints: list[tuple[str, bool]]
    form_due: date | None
    days_left: int | None
    submitted: bool


def rems_status(infusion: Infusion, vitals: list[VitalSign], today: date) -> RemsStatus | None:
    if infusion.agent != Agent.ESKETAMINE:
        return None
    observed = None
    if infusion.started_at and infusion.discharge_ready_at:
        observed = int((infusion.discharge_ready_at - infusion.started_at).total_seconds() // 60)
    checklist_bp = infusion.pre_dose_systolic is not None  # the pre-dose checklist's BP counts as the one before
    checkpoints = [
        (label, any(lo <= v.minute_offset <= hi for v in vitals if not v.struck_at) or (checklist_bp and hi <= 0))
        for lo, hi, label in REMS_BP_CHECKPOINTS
    ]
    due = (infusion.started_at or infusion.scheduled_at).date() + timedelta(days=REMS_FORM_DUE_DAYS)
    return RemsStatus(
        observed_minutes=observed,
        observation_ok=observed is not None and observed >= REMS_OBSERVATION_MINUTES,
        checkpoints=checkpoints,
        form_due=due,
        days_left=(due - today).days,
        submitted=bool(infusion.rems.get("form_submitted_on")),
    )


def readings(vitals: list[VitalSign]) -> list[Reading]:
    """The readings that count (a reading struck through as wrong raises no flag)."""
    return [Reading(v.minute_offset, v.systolic, v.diastolic, v.heart_rate, v.spo2) for v in vitals if not v.struck_at]


@dataclass
class InfusionView:
    infusion: Infusion
    vitals: list[VitalSign]
    flags: list[str]
    rems: RemsStatus | None
    measures: list[MeasureResponse]
    may_record: bool  # may change and sign the record (medical staff on the care team)
    may_vitals: bool
    panels: list[panels.Rendered]
    break_glass_until: datetime | None = None


async def flags_of(infusion_id: int) -> list[str]:
    """The vital-sign flags of an infusion, as a fact for another room's page (no permission check, no audit: the
    caller has looked the infusion up through care.access and audits its own page)."""
    return vital_flags(readings(await VitalSign.filter(infusion_id=infusion_id).order_by("minute_offset", "id")))


async def flagged_count(clinic_id: int, since: datetime) -> int:
    """How many of the clinic's infusions since `since` have a vital-sign flag: a fact for the quality dashboard."""
    vitals = await VitalSign.filter(infusion__clinic_id=clinic_id, infusion__started_at__gte=since).order_by(
        "infusion_id"
    )
    by_infusion: dict[int, list[VitalSign]] = {}
    for v in vitals:
        by_infusion.setdefault(v.infusion_id, []).append(v)
    return sum(1 for rows in by_infusion.values() if vital_flags(readings(rows)))


async def view_infusion(actor: Actor, infusion_id: int, today: date) -> InfusionView:
    infusion = await access.get_infusion_for(actor, infusion_id)
    may_record = await access.can(actor.user, access.MAY_INFUSION_RECORD, infusion.patient)
    may_vitals = await access.can(actor.user, access.MAY_VITALS_RECORD, infusion.patient)
    vitals, measures = await reads.SESSION_LISTS.run(infusion_id=infusion.id)
    await audit.record_read(
        actor, access.INFUSION_VIEWED, object_type="infusion", object_id=infusion.id, patient_id=infusion.patient_id
    )
    extra = await panels.collect(actor, infusion.patient, infusion)
    flags, rems = vital_flags(readings(vitals)), rems_status(infusion, vitals, today)
    seen = await access.can(actor.user, access.MAY_PATIENT_VIEW, infusion.patient)
    glass = await access.break_glass_until(actor, infusion.patient) if not seen else None
    return InfusionView(infusion, vitals, flags, rems, measures, may_record, may_vitals, extra, glass)


@dataclass
class Vitals:
    infusion: Infusion
    rows: list[VitalSign]
    flags: list[str]


async def add_vitals(
    actor: Actor, infusion_id: int, key: str, reading: Reading | None, errors: dict[str, str]
) -> Vitals:
    """Append one row of vitals (once per form `key`: a repeat adds nothing); returns the infusion's rows and flags
    after the change. A refused row raises Invalid with the whole infusion page (read and audited like any view)."""
    infusion = await access.get_infusion_for(actor, infusion_id, write=access.MAY_VITALS_RECORD)
    if await once.repeat(actor, key, "vital_sign") is None:
        errors = errors | await _reading_problems(infusion, reading)
        if reading is None or errors:
            raise Invalid(errors, page=await view_infusion(actor, infusion.id, actor.today))
        await once.create(actor, key, "vital_sign", lambda: _insert_vitals(actor, infusion, reading), _vital_sign)
    vitals = await VitalSign.filter(infusion_id=infusion.id).order_by("minute_offset", "id")
    return Vitals(infusion, vitals, vital_flags(readings(vitals)))


async def _reading_problems(infusion: Infusion, reading: Reading | None) -> dict[str, str]:
    if infusion.signed_at is not None:
        return {"minute_offset": "This record is signed and locked: readings can be struck through, not added."}
    if (
        reading is not None
        and await VitalSign.filter(infusion_id=infusion.id, struck_at__isnull=True, **asdict(reading)).exists()
    ):
        return {"minute_offset": f"This reading is already recorded at minute {reading.minute_offset}."}
    return {}


async def _vital_sign(row_id: int) -> VitalSign:
    return await VitalSign.get(id=row_id)


async def _insert_vitals(actor: Actor, infusion: Infusion, reading: Reading) -> VitalSign:
    async with in_transaction():
        row = await VitalSign.create(
            infusion=infusion, recorded_at=actor.now, recorded_by_id=actor.user_id, **asdict(reading)
        )
        await audit.record(
            actor, access.VITALS_RECORDED, object_type="vital_sign", object_id=row.id, patient_id=infusion.patient_id
        )
    return row
