"""PHQ-9, GAD-7 and the C-SSRS screener: scoring, saving, risk alerts, and the progress series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from tortoise.transactions import in_transaction

from care import access, risk
from care import panels as care_pages
from care.access import MAY_MEASURE_SELF_REPORT
from care.clinical import CssrsResult, phq9_raises_alert, score
from care.models import AlertSource, Infusion, Instrument, MeasureResponse, Patient, RiskAlert
from care.progress import Progress, split
from server import audit, once
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.panels import Rendered
from server.policy import require


async def raise_alert(
    actor: Actor,
    patient: Patient,
    source: AlertSource,
    level: str,
    summary: str,
    *,
    measure: MeasureResponse | None = None,
    source_ref: str = "",
) -> RiskAlert:
    """Create a risk alert for the patient's care team. Call inside the transaction that found the risk."""
    alert = await RiskAlert.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        source=source,
        level=level,
        summary=summary[:200],
        measure=measure,
        source_ref=source_ref,
        created_at=actor.now,
    )
    await audit.record(
        actor,
        access.ALERT_RAISED,
        object_type="risk_alert",
        object_id=alert.id,
        patient_id=patient.id,
        detail={"source": str(source), "level": level},
    )
    return alert


async def _save(
    actor: Actor, patient: Patient, instrument: Instrument, answers: list[int], taken_at: datetime, source: str
) -> MeasureResponse:
    total, severity = score(instrument, answers)
    item9 = answers[8] if instrument == Instrument.PHQ9 else None
    async with in_transaction():
        measure = await MeasureResponse.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            instrument=instrument,
            answers={f"q{i}": a for i, a in enumerate(answers, 1)},
            total=total,
            severity=severity,
            item9=item9,
            taken_at=taken_at,
            infusion=await _latest_infusion(patient, taken_at),
            source=source,
            entered_by_id=actor.user_id,
        )
        await audit.record(
            actor,
            access.MEASURE_SUBMITTED,
            object_type="measure",
            object_id=measure.id,
            patient_id=patient.id,
            detail={"instrument": str(instrument), "source": source},
        )
        if instrument == Instrument.PHQ9 and phq9_raises_alert(answers):
            # PHQ-9 item 9 (thoughts of being better off dead or of self-harm) > 0 always raises a risk alert,
            # whatever the total: any answer above "not at all" calls for a suicide-risk assessment.
            await raise_alert(
                actor,
                patient,
                AlertSource.PHQ9_ITEM9,
                "high" if answers[8] >= 2 else "moderate",
                f"PHQ-9 item 9 answered {answers[8]} (total {total})",
                measure=measure,
            )
    return measure


async def _latest_infusion(patient: Patient, taken_at: datetime) -> Infusion | None:
    """Tie a measure to the most recent infusion before it, so the chart can show scores per session."""
    return await Infusion.filter(patient_id=patient.id, scheduled_at__lte=taken_at).order_by("-scheduled_at").first()


async def self_report_form(actor: Actor) -> Patient:
    """The signed-in patient, before they answer a questionnaire (NotFound for anyone else)."""
    return await access.own_patient(actor)


async def staff_form(actor: Actor, patient_id: int, instrument: Instrument) -> Patient:
    """The patient a clinician is about to enter a paper measure or a C-SSRS for (recording rights required)."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    await _form_viewed(actor, patient, instrument)
    return patient


async def _form_viewed(actor: Actor, patient: Patient, instrument: Instrument) -> None:
    """The one read event of a page showing a patient's measure form, first or again after a refusal."""
    where = {"object_type": "patient", "object_id": patient.id, "patient_id": patient.id}
    await audit.record_read(actor, access.MEASURE_FORM_VIEWED, detail={"instrument": str(instrument)}, **where)


async def _measure(measure_id: int) -> MeasureResponse:
    return await MeasureResponse.get(id=measure_id)


async def submit_self_report(actor: Actor, key: str, instrument: Instrument, answers: list[int]) -> MeasureResponse:
    """The patient's own PHQ-9 or GAD-7, once per form `key` (a repeat returns the first)."""
    patient = await access.own_patient(actor)
    await require(actor.user, MAY_MEASURE_SELF_REPORT, patient)
    make = partial(_save, actor, patient, instrument, answers, actor.now, "self_report")
    return await once.create(actor, key, "measure", make, _measure)


async def enter_on_paper(
    actor: Actor,
    patient_id: int,
    key: str,
    instrument: Instrument,
    answers: list[int] | None,
    taken_at: datetime | None,
    errors: dict[str, str],
) -> MeasureResponse:
    """Record a questionnaire the patient filled in on paper, once per form `key`; Invalid (with the patient) when the
    form was refused."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    if (first := await once.repeat(actor, key, "measure")) is not None:
        return await _measure(first)
    if answers is None or taken_at is None or errors:
        await _form_viewed(actor, patient, instrument)
        raise Invalid(errors, page=patient)
    make = partial(_save, actor, patient, instrument, answers, taken_at, "paper")
    return await once.create(actor, key, "measure", make, _measure)


async def record_cssrs(
    actor: Actor, patient_id: int, key: str, result: CssrsResult | None, errors: dict[str, str]
) -> MeasureResponse:
    """Record a clinician's C-SSRS screen, raising an alert from Q3 up, once per form `key` (a double click makes one
    screen and one alert); Invalid (with the patient) when refused."""
    patient = await access.get_patient_for(actor, patient_id, write=True)
    if (first := await once.repeat(actor, key, "measure")) is not None:
        return await _measure(first)
    if result is None or errors:
        await _form_viewed(actor, patient, Instrument.CSSRS)
        raise Invalid(errors, page=patient)
    return await once.create(actor, key, "measure", lambda: _insert_cssrs(actor, patient, result), _measure)


async def _insert_cssrs(actor: Actor, patient: Patient, result: CssrsResult) -> MeasureResponse:
    async with in_transaction():
        measure = await MeasureResponse.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            instrument=Instrument.CSSRS,
            answers=result.answers,
            total=result.highest,
            severity=result.level,
            taken_at=actor.now,
            source="clinician",
            infusion=await _latest_infusion(patient, actor.now),
            entered_by_id=actor.user_id,
        )
        await audit.record(
            actor,
            access.MEASURE_SUBMITTED,
            object_type="measure",
            object_id=measure.id,
            patient_id=patient.id,
            detail={"instrument": "CSSRS", "level": result.level},
        )
        if result.alert:
            await raise_alert(
                actor,
                patient,
                AlertSource.CSSRS,
                "high" if result.level == "high" else "moderate",
                f"C-SSRS screen: {result.level} risk (highest yes: Q{result.highest})",
                measure=measure,
            )
    return measure


async def view_measure(actor: Actor, measure_id: int) -> MeasureResponse:
    measure = await access.get_measure_for(actor, measure_id)
    await audit.record_read(
        actor, access.MEASURE_VIEWED, object_type="measure", object_id=measure.id, patient_id=measure.patient_id
    )
    return measure


@dataclass
class MyProgress:
    progress: Progress
    panels: list[Rendered]  # other rooms' charts beside the scores (the journal's mood, anxiety and sleep)


async def my_progress(actor: Actor) -> MyProgress:
    """The patient's own scores (one per day), audited, with the panels other rooms add to the page."""
    patient = await access.own_patient(actor)
    measures = await MeasureResponse.filter(patient_id=patient.id, instrument__in=["PHQ9", "GAD7"]).order_by("taken_at")
    infusions = await Infusion.filter(patient_id=patient.id, started_at__not_isnull=True).order_by("scheduled_at")
    await audit.record_read(
        actor, access.PROGRESS_VIEWED, object_type="patient", object_id=patient.id, patient_id=patient.id
    )
    panels = await actor.registry.page(care_pages.PROGRESS).collect(actor, patient)
    return MyProgress(split(patient, measures, infusions, actor.tz), panels)


async def open_alerts(actor: Actor) -> list[RiskAlert]:
    patients = access.visible_patients(actor).values_list("id", flat=True)
    alerts = risk.by_severity(
        await RiskAlert.filter(patient_id__in=await patients, acknowledged_at__isnull=True)
        .select_related("patient__user")
        .order_by("created_at")
    )
    await audit.record_read(actor, access.ALERTS_VIEWED, object_type="alerts", detail={"open": len(alerts)})
    return alerts


async def acknowledge(actor: Actor, alert_id: int, action_taken: str) -> RiskAlert:
    """Acknowledge an open alert, saying what was done (1 to 500 characters); Invalid (with the open alerts) when
    the action is missing. Strangers get NotFound before any validation."""
    alert = await access.get_alert_for(actor, alert_id)
    action_taken = action_taken.strip()
    if not action_taken or len(action_taken) > 500:
        message = "Say briefly what you did (up to 500 characters)."
        raise Invalid({f"action_taken_{alert.id}": message}, page=await open_alerts(actor))
    if alert.acknowledged_at is not None:
        raise NotFound("open alert")
    async with in_transaction():
        await RiskAlert.filter(id=alert.id).update(
            acknowledged_by=actor.user, acknowledged_at=actor.now, action_taken=action_taken
        )
        await audit.record(
            actor, access.ALERT_ACKNOWLEDGED, object_type="risk_alert", object_id=alert.id, patient_id=alert.patient_id
        )
    return alert
