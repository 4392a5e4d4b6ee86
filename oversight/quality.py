"""Care quality for supervisors: per-therapist note timeliness, clinic-wide risk and monitoring gaps, the co-sign
queue, and risk escalation computed from timestamps (no background process needed)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from care.clinic_settings import ClinicSettings
from care.infusions import flagged_count
from care.models import Agent, AlertSource, Infusion, MeasureResponse, Patient, RiskAlert
from notes import supervision
from notes.dashboard import signing_window
from notes.models import IntegrationNote, Status
from oversight import access
from oversight.access import MAY_OVERSIGHT_AUDIT
from server import audit
from server.actor import Actor
from server.models import Clinic, Role, User
from server.policy import require

MEASURE_GAP = timedelta(days=14)
LOOKBACK = timedelta(days=90)


def escalation_window(alert: RiskAlert, settings: ClinicSettings) -> timedelta:
    if alert.source == AlertSource.CSSRS and alert.level == "high":
        return timedelta(hours=settings.escalation_hours_cssrs_high)
    return timedelta(hours=settings.escalation_hours)


def is_escalated(alert: RiskAlert, settings: ClinicSettings, now: datetime) -> bool:
    return alert.acknowledged_at is None and alert.created_at + escalation_window(alert, settings) <= now


@dataclass
class TherapistRow:
    therapist: User
    signed: int = 0
    on_time: int = 0
    hours_to_sign: list[float] = field(default_factory=list)
    overdue: int = 0
    drafts: int = 0
    returned: int = 0

    @property
    def on_time_pct(self) -> int | None:
        return round(100 * self.on_time / self.signed) if self.signed else None

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.hours_to_sign), 1) if self.hours_to_sign else None


@dataclass
class Quality:
    therapists: list[TherapistRow]
    escalated: list[RiskAlert]
    alerts_by_age: dict[str, int]
    flagged_infusions: int
    without_measure: list[Patient]
    overdue: list[Infusion]
    window_hours: int
    rems_due: list[Infusion] = field(default_factory=list)


async def _clinic(actor: Actor) -> Clinic:
    await require(actor.user, MAY_OVERSIGHT_AUDIT)
    return await Clinic.get(id=actor.clinic_id)


async def dashboard(actor: Actor) -> Quality:
    """Every number on /oversight, each from one query over the clinic (constant in the data size)."""
    clinic = await _clinic(actor)
    window = signing_window(clinic)
    since = actor.now - LOOKBACK
    therapists = await User.filter(clinic_id=clinic.id, role=Role.THERAPIST).order_by("name")
    rows = {t.id: TherapistRow(t) for t in therapists}
    notes = await IntegrationNote.filter(clinic_id=clinic.id, created_at__gte=since).select_related("infusion")
    for n in notes:
        row = rows.get(n.author_id)
        if row is None:
            continue
        if n.status == Status.DRAFT:
            row.drafts += 1
        elif n.status == Status.RETURNED:
            row.returned += 1
        if n.signed_at:
            ended = n.infusion.ended_at or n.infusion.started_at or n.infusion.scheduled_at
            row.signed += 1
            row.hours_to_sign.append((n.signed_at - ended).total_seconds() / 3600)
            row.on_time += n.signed_at <= ended + window
    overdue = await overdue_infusions(actor, clinic)
    for i in overdue:
        for link in i.patient.care_team:  # type: ignore[attr-defined]
            if link.therapist_id in rows:
                rows[link.therapist_id].overdue += 1
    alerts = await RiskAlert.filter(clinic_id=clinic.id, acknowledged_at__isnull=True).select_related("patient__user")
    ages = {"under 24 h": 0, "1–3 days": 0, "over 3 days": 0}
    for a in alerts:
        age = actor.now - a.created_at
        ages[
            "under 24 h" if age < timedelta(days=1) else ("1–3 days" if age < timedelta(days=3) else "over 3 days")
        ] += 1
    measured = set(
        await MeasureResponse.filter(clinic_id=clinic.id, taken_at__gte=actor.now - MEASURE_GAP).values_list(
            "patient_id", flat=True
        )
    )
    patients = await Patient.filter(clinic_id=clinic.id).select_related("user").order_by("user__name")
    await audit.record_read(actor, access.QUALITY_VIEWED, object_type="clinic", object_id=clinic.id)
    settings = ClinicSettings.of(clinic)
    return Quality(
        list(rows.values()),
        [a for a in alerts if is_escalated(a, settings, actor.now)],
        ages,
        await flagged_count(clinic.id, actor.now - timedelta(days=14)),
        [p for p in patients if p.id not in measured],
        overdue,
        int(window.total_seconds() // 3600),
        await rems_due(clinic, actor.now),
    )


async def overdue_infusions(actor: Actor, clinic: Clinic) -> list[Infusion]:
    """Given infusions whose note is past the signing window and still unsigned."""
    window = signing_window(clinic)
    given = await Infusion.filter(
        clinic_id=clinic.id, started_at__gte=actor.now - LOOKBACK, started_at__lte=actor.now - window
    ).prefetch_related("patient__user", "patient__care_team")
    signed = set(
        await IntegrationNote.filter(
            clinic_id=clinic.id, status__in=[Status.SIGNED, Status.COSIGNED, Status.COSIGN_PENDING]
        ).values_list("infusion_id", flat=True)
    )
    return [i for i in given if i.id not in signed and (i.ended_at or i.started_at) + window < actor.now]  # type: ignore[operator]


async def overdue_list(actor: Actor) -> list[Infusion]:
    clinic = await _clinic(actor)
    found = await overdue_infusions(actor, clinic)
    await audit.record_read(actor, access.QUALITY_VIEWED, object_type="list", object_id="overdue_notes")
    return found


async def cosign_queue(actor: Actor) -> tuple[list[IntegrationNote], list[IntegrationNote]]:
    """The supervisor's own co-sign queue (notes signed while they supervised the author) and the unassigned notes
    (signed while nobody did), each oldest first; notes waiting for another supervisor are not shown."""
    clinic = await _clinic(actor)
    mine, unassigned = await supervision.queue(actor.user)  # type: ignore[arg-type]
    where = {"object_type": "clinic", "object_id": clinic.id}  # the list names its notes, as the review list does
    named = [n.id for n in (*mine, *unassigned)]
    await audit.record_read(actor, access.COSIGN_QUEUE_VIEWED, detail={"notes": named}, **where)
    return mine, unassigned


async def escalate(actor: Actor) -> int:
    """Stamp and audit every alert past its window (cron-friendly: `python -m server escalate`)."""
    count = 0
    for clinic in await Clinic.all():
        settings = ClinicSettings.of(clinic)
        for alert in await RiskAlert.filter(
            clinic_id=clinic.id, acknowledged_at__isnull=True, escalated_at__isnull=True
        ):
            if is_escalated(alert, settings, actor.now):
                async with in_transaction():
                    await RiskAlert.filter(id=alert.id).update(escalated_at=actor.now)
                    await audit.record(
                        actor,
                        access.ALERT_ESCALATED,
                        object_type="risk_alert",
                        object_id=alert.id,
                        patient_id=alert.patient_id,
                        clinic_id=clinic.id,
                        detail={"source": str(alert.source), "level": alert.level},
                    )
                count += 1
    return count


async def rems_due(clinic: Clinic, now: datetime) -> list[Infusion]:
    """Spravato (esketamine) sessions given in the last 90 days whose REMS monitoring form has no submission date yet
    (the FDA Spravato REMS wants the form within 7 days of each session; care.infusions.rems_status shows the due
    date on the infusion page). One query, patients and their names joined in."""
    given = (
        await Infusion.filter(
            clinic_id=clinic.id, agent=Agent.ESKETAMINE, started_at__gte=now - LOOKBACK, started_at__lte=now
        )
        .select_related("patient__user")
        .order_by("started_at", "id")
    )
    return [i for i in given if not (i.rems or {}).get("form_submitted_on")]


async def escalated_badge(actor: Actor) -> dict[str, int]:
    """How many risk alerts are escalated, for the supervisor's navigation (two small queries)."""
    if actor.role != Role.SUPERVISOR:
        return {}
    clinic = await Clinic.get(id=actor.clinic_id)
    alerts = await RiskAlert.filter(clinic_id=clinic.id, acknowledged_at__isnull=True)
    settings = ClinicSettings.of(clinic)
    return {"escalated": sum(1 for a in alerts if is_escalated(a, settings, actor.now))}
