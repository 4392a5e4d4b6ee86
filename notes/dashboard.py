"""The therapist's dashboard on /caseload: sessions, notes due and overdue, drafts, returned notes, new shared
entries and open alerts. Every list is one query, however much data there is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Case, Q, Subquery, When
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from care.access import patients_visible_to
from care.clinic_settings import ClinicSettings
from care.models import Infusion, Patient, RiskAlert
from journal import shared as journal_shared
from notes import access
from notes.models import IntegrationNote, SeenMarker, Status
from server import audit, compiled
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


def _mine(role: Role, user_id: int, clinic_id: int) -> Subquery:
    """The actor's patients as a subquery in each list's statement, not a statement of their own."""
    return Subquery(patients_visible_to(role, user_id, clinic_id).values("id"))


_SIGNED = [Status.SIGNED, Status.COSIGNED, Status.COSIGN_PENDING]


# The dashboard's lists, compiled once (server/compiled.py); `role, user_id, clinic_id` pick the actor's patients.
def _unsigned(since: datetime, now: datetime) -> Q:
    """Sessions begun in the lookback whose note is not signed yet (the signed notes of the row's own infusion, a
    correlated subquery: an index seek per session, not every signed note in the database)."""
    infusion_id = compiled.column(Infusion, "id")
    signed = Subquery(IntegrationNote.filter(infusion_id=infusion_id, status__in=_SIGNED).values("infusion_id"))
    return Q(started_at__gte=since, started_at__lte=now) & ~Q(id__in=signed)


# The week's sessions and the notes due, one statement: `in_week` and `unsigned` are the row's id if it is one of the
# week's sessions, or due a note, else NULL (the database decides both, as it decides which rows come back).
def _when(condition: Q) -> Case:
    return Case(When(condition, then=compiled.column(Infusion, "id")))  # type: ignore[arg-type]


_SESSIONS = compiled.query(
    lambda role, user_id, clinic_id, start, end, since, now: (
        Infusion.filter(patient_id__in=_mine(role, user_id, clinic_id))
        .annotate(
            in_week=_when(Q(scheduled_at__gte=start, scheduled_at__lt=end)), unsigned=_when(_unsigned(since, now))
        )
        # On the flags, not on the columns again: SQLite would answer "week OR due" by scanning every infusion
        # twice; this way the caseload's sessions are found through (patient_id, …) and each row is tested.
        .filter(Q(in_week__isnull=False) | Q(unsigned__isnull=False))
        .select_related("patient__user")
        .order_by("scheduled_at")
    )
)
_NOTES = compiled.query(
    lambda user_id: (
        IntegrationNote.filter(author_id=user_id, status__in=access.WRITABLE)
        .select_related("infusion", "patient__user")
        .order_by("-updated_at")
    )
)


def _seen(user_id: int) -> QuerySet[SeenMarker]:
    return SeenMarker.filter(user_id=user_id, key=SEEN_SHARED)


# New shared entries: shared since the therapist last looked (the seen marker read in the same statement), or all of
# them for a therapist who never looked.
# The newest 50 are picked by id first and only those rows joined to their patient and session: a caseload holds
# thousands of shared entries, and joining all of them before the sort cost 10-15 ms at scale 1.
def _new_shared(role: Role, user_id: int, clinic_id: int) -> QuerySet:
    newest = (
        journal_shared.shared_entries(_mine(role, user_id, clinic_id))
        .annotate(marks=Subquery(_seen(user_id).annotate(n=Count("id")).values("n")))
        .filter(Q(marks=0) | Q(shared_at__gt=Subquery(_seen(user_id).limit(1).values("seen_at"))))
        .order_by("-shared_at")
        .limit(50)
    )
    return newest.model.filter(id__in=Subquery(newest.values("id")))


_SHARED = compiled.query(
    lambda role, user_id, clinic_id: (
        _new_shared(role, user_id, clinic_id).select_related("patient__user", "infusion").order_by("-shared_at")
    )
)
_ALERTS = compiled.query(
    lambda role, user_id, clinic_id: (
        RiskAlert.filter(patient_id__in=_mine(role, user_id, clinic_id), acknowledged_at__isnull=True)
        .select_related("patient__user")
        .order_by("created_at")
    )
)


async def dashboard(
    actor: Actor, _patient: Patient | None = None, _infusion: Infusion | None = None
) -> dict[str, Any] | None:
    """The caseload-page panel for therapists (supervisors have /oversight)."""
    if actor.role != Role.THERAPIST:
        return None
    window = signing_window(actor.clinic)
    me: dict[str, Any] = {"role": actor.role, "user_id": actor.user_id, "clinic_id": actor.clinic_id}
    zone = ZoneInfo(actor.tz)
    today = datetime.combine(actor.today, time.min, zone)
    end = today + timedelta(days=8)
    rows = await _SESSIONS.all(**me, start=today, end=end, since=actor.now - LOOKBACK, now=actor.now)
    sessions = [s for s in rows if s.in_week is not None]
    unsigned = sorted((i for i in rows if i.unsigned is not None), key=lambda i: i.started_at)
    due = [_due(i, window, actor.now) for i in unsigned]
    notes = await _NOTES.all(user_id=actor.user_id)
    entries = await _SHARED.all(**me)
    alerts = await _ALERTS.all(**me)
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
