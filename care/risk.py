"""Risk continuity: every C-SSRS screen and every alert (open, escalated, acknowledged, resolved by a note) on the
chart's risk history, alerts ordered by severity then age, and closing the alerts a signed note's risk assessment
addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from care import access
from care.models import Instrument, MeasureResponse, Patient, RiskAlert
from server import audit
from server.actor import Actor

SEVERITY = {"high": 0, "moderate": 1}  # high risk first; then the oldest open alert first


def by_severity(alerts: list[RiskAlert]) -> list[RiskAlert]:
    return sorted(alerts, key=lambda a: (SEVERITY.get(a.level, 2), a.created_at))


@dataclass(frozen=True)
class RiskItem:
    """One line of the chart's risk history."""

    at: datetime
    kind: str  # "screen" (a C-SSRS) or "alert"
    level: str
    what: str
    state: str  # "open", "escalated", "acknowledged", "resolved" (alerts); "recorded" (screens)
    outcome: str = ""  # who acknowledged or resolved it, and what was done


def history(measures: list[MeasureResponse], alerts: list[RiskAlert]) -> list[RiskItem]:
    """C-SSRS screens and every alert, newest first (alerts need `acknowledged_by` loaded)."""
    items = [
        RiskItem(m.taken_at, "screen", m.severity, _screen(m), "recorded")
        for m in measures
        if m.instrument == Instrument.CSSRS
    ]
    items += [RiskItem(a.created_at, "alert", a.level, a.summary, _state(a), _outcome(a)) for a in alerts]
    return sorted(items, key=lambda item: item.at, reverse=True)


def _screen(m: MeasureResponse) -> str:
    highest = f"highest yes: question {m.total}" if m.total else "no to every question"
    return f"C-SSRS screen: {m.severity} risk ({highest})"


def _state(a: RiskAlert) -> str:
    if a.resolved_by_note_id:
        return "resolved"
    if a.acknowledged_at:
        return "acknowledged"
    return "escalated" if a.escalated_at else "open"


def _outcome(a: RiskAlert) -> str:
    if not a.acknowledged_at:
        return ""
    who = a.acknowledged_by.name if a.acknowledged_by else "someone"
    return f"{who}: {a.action_taken}"


async def resolve_by_note(actor: Actor, patient: Patient, alert_ids: list[int], note_id: int, when: str) -> list[int]:
    """Close the patient's open alerts that a final note's risk assessment addresses, inside the caller's signing
    transaction; recorded on each alert and audited. Alerts already closed, or another patient's, are left alone."""
    open_alerts = await RiskAlert.filter(
        id__in=alert_ids, patient_id=patient.id, clinic_id=patient.clinic_id, acknowledged_at__isnull=True
    )
    action = f"Risk assessment documented in the integration note signed {when}."
    for alert in open_alerts:
        await RiskAlert.filter(id=alert.id, acknowledged_at__isnull=True).update(
            acknowledged_by=actor.user, acknowledged_at=actor.now, action_taken=action, resolved_by_note_id=note_id
        )
        await audit.record(
            actor,
            access.ALERT_RESOLVED_BY_NOTE,
            object_type="risk_alert",
            object_id=alert.id,
            patient_id=patient.id,
            detail={"note_id": note_id},
        )
    return [a.id for a in open_alerts]
