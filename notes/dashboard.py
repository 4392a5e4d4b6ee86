"""The therapist's dashboard on /caseload: sessions, notes due and overdue, drafts, returned notes, new shared
entries and open alerts. Every list is one query, however much data there is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from care.access import visible_patients
from care.clinic_settings import ClinicSettings
from care.models import Infusion, Patient, RiskAlert
from journal import shared as journal_shared
from notes import access
from notes.models import IntegrationNote, SeenMarker, Status
from server import audit
from server.actor import Actor
from server.models import Clinic, Role

LOOKBACK = timedelta(days=30)
SEEN_SHARED = "shared_entries"


def signing_window(clinic: Clinic) -> timedelta:
    """How long after a session its note is due signed, in this clinic."""
    return timedelta(hours=ClinicSettings.of(clinic).note_signing_hours)


@dataclass
class Due:
    infusion: Infusion
    due_at: datetime
    overdue: bool


def _due(infusion: Infusion, window: timedelta, now: datetime) -> Due:
    """A note is expected within the clinic's window after the session ended (or began, if no end was recorded)."""
    ended: datetime = infusion.ended_at or infusion.started_at  # type: ignore[assignment]
    return Due(infusion, ended + window, ended + window < now)


async def dashboard(
    actor: Actor, _patient: Patient | None = None, _infusion: Infusion | None = None
) -> dict[str, Any] | None:
    """The caseload-page panel for therapists (supervisors have /oversight)."""
    if actor.role != Role.THERAPIST:
        return None
    window = signing_window(actor.clinic)
    # The actor's patients as a subquery in each list's statement, not a statement of their own.
    ids = Subquery(visible_patients(actor).values("id"))
    zone = ZoneInfo(actor.tz)
    today = datetime.combine(actor.today, time.min, zone)
    sessions = (
        await Infusion.filter(patient_id__in=ids, scheduled_at__gte=today, scheduled_at__lt=today + timedelta(days=8))
        .select_related("patient__user")
        .order_by("scheduled_at")
    )
    signed = IntegrationNote.filter(status__in=[Status.SIGNED, Status.COSIGNED, Status.COSIGN_PENDING])
    unsigned = (
        await Infusion.filter(patient_id__in=ids, started_at__gte=actor.now - LOOKBACK, started_at__lte=actor.now)
        .exclude(id__in=Subquery(signed.values("infusion_id")))
        .select_related("patient__user")
        .order_by("started_at")
    )
    due = [_due(i, window, actor.now) for i in unsigned]
    notes = (
        await IntegrationNote.filter(author_id=actor.user_id, status__in=access.WRITABLE)
        .select_related("infusion", "patient__user")
        .order_by("-updated_at")
    )
    seen = await SeenMarker.get_or_none(user_id=actor.user_id, key=SEEN_SHARED)
    shared = journal_shared.shared_entries(ids, shared_after=seen.seen_at if seen else None)
    entries = await shared.select_related("patient__user", "infusion").order_by("-shared_at").limit(50)
    alerts = (
        await RiskAlert.filter(patient_id__in=ids, acknowledged_at__isnull=True)
        .select_related("patient__user")
        .order_by("created_at")
    )
    await audit.record_read(
        actor, access.DASHBOARD_VIEWED, object_type="dashboard", detail={"due": len(due), "alerts": len(alerts)}
    )
    return {
        "today": [s for s in sessions if s.scheduled_at.astimezone(zone).date() == actor.today],
        "upcoming": [s for s in sessions if s.scheduled_at.astimezone(zone).date() != actor.today],
        "due": sorted(due, key=lambda d: d.due_at),
        "window_hours": int(window.total_seconds() // 3600),
        "drafts": [n for n in notes if n.status == Status.DRAFT],
        "returned": [n for n in notes if n.status == Status.RETURNED],
        "entries": entries,
        "alerts": alerts,
    }


async def mark_shared_seen(actor: Actor) -> None:
    async with in_transaction():
        await SeenMarker.update_or_create(defaults={"seen_at": actor.now}, user_id=actor.user_id, key=SEEN_SHARED)
