"""The audit viewer: filtered, keyset-paginated (by seq, never OFFSET), readable rows, streamed CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from care.models import Patient
from oversight import access
from oversight.access import MAY_OVERSIGHT_AUDIT
from server import audit
from server.actor import Actor
from server.models import AuditCheckpoint, AuditEvent, User
from server.policy import require

PAGE = 50
CSV_BATCH = 1000
COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "outcome",
    "reason",
    "ip",
    "request_id",
)


@dataclass
class Filters:
    actor: str = ""  # email
    patient: str = ""  # MRN
    action: str = ""
    outcome: str = ""
    since: date | None = None
    until: date | None = None
    before: int | None = None

    def query_string(self, **override: Any) -> str:
        from urllib.parse import urlencode

        values = {
            "actor": self.actor,
            "patient": self.patient,
            "action": self.action,
            "outcome": self.outcome,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            **override,
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def detail(self) -> dict[str, Any]:
        """Which filters were used, never what was typed into them (an email or an MRN is not audit detail)."""
        used = {
            "actor": self.actor,
            "patient": self.patient,
            "action": self.action,
            "outcome": self.outcome,
            "since": self.since,
            "until": self.until,
        }
        return {"filters": sorted(k for k, v in used.items() if v)}


async def _query(actor: Actor, f: Filters) -> QuerySet[AuditEvent] | None:
    rows = AuditEvent.filter(clinic_id=actor.clinic_id)
    if f.actor:
        user = await User.get_or_none(email=f.actor.strip().casefold(), clinic_id=actor.clinic_id)
        if user is None:
            return None
        rows = rows.filter(actor_id=user.id)
    if f.patient:
        patient = await Patient.get_or_none(mrn=f.patient.strip(), clinic_id=actor.clinic_id)
        if patient is None:
            return None
        rows = rows.filter(patient_id=patient.id)
    if f.action:
        rows = rows.filter(action=f.action)
    if f.outcome:
        rows = rows.filter(outcome=f.outcome)
    zone = ZoneInfo(actor.tz)
    if f.since:
        rows = rows.filter(at__gte=datetime.combine(f.since, time.min, zone))
    if f.until:
        rows = rows.filter(at__lt=datetime.combine(f.until + timedelta(days=1), time.min, zone))
    return rows


@dataclass
class Row:
    event: AuditEvent
    actor: str
    patient: str
    meaning: str


@dataclass
class AuditPage:
    rows: list[Row]
    next_before: int | None
    checkpoint: AuditCheckpoint | None
    head_seq: int


async def page(actor: Actor, f: Filters) -> AuditPage:
    await require(actor.user, MAY_OVERSIGHT_AUDIT)
    rows = await _query(actor, f)
    events: list[AuditEvent] = []
    if rows is not None:
        if f.before:
            rows = rows.filter(seq__lt=f.before)
        events = await rows.order_by("-seq").limit(PAGE + 1)
    await audit.record_read(actor, access.AUDIT_VIEWED, object_type="audit_log", detail=f.detail())
    more = len(events) > PAGE
    events = events[:PAGE]
    users = {u.id: u for u in await User.filter(id__in={e.actor_id for e in events if e.actor_id})}
    patients = {
        p.id: p
        for p in await Patient.filter(id__in={e.patient_id for e in events if e.patient_id}).select_related("user")
    }
    readable = [
        Row(
            e,
            _who(users.get(e.actor_id or 0), e),
            _patient(patients.get(e.patient_id or 0)),
            _meaning(actor, e.action),
        )
        for e in events
    ]
    checkpoint = await AuditCheckpoint.all().order_by("-id").first()
    head = await AuditEvent.filter().order_by("-seq").first()
    return AuditPage(readable, events[-1].seq if more else None, checkpoint, head.seq if head else 0)


def _who(user: User | None, event: AuditEvent) -> str:
    if user is None:
        return "command line" if event.ip == "cli" else "anonymous"
    return f"{user.name} ({user.role})"


def _patient(patient: Patient | None) -> str:
    return f"{patient.user.name} ({patient.mrn})" if patient else ""


async def csv_stream(actor: Actor, f: Filters) -> AsyncIterator[str]:
    """Prepare the export (permission + audit) now; the returned iterator streams rows in seq batches."""
    await require(actor.user, MAY_OVERSIGHT_AUDIT)
    rows = await _query(actor, f)
    await audit.record_read(actor, access.AUDIT_EXPORTED, object_type="audit_log", detail=f.detail())

    async def generate() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        yield _drain(buffer)
        if rows is None:
            return
        after = 0
        while True:
            batch = await rows.filter(seq__gt=after).order_by("seq").limit(CSV_BATCH).values_list(*COLUMNS)
            for values in batch:
                writer.writerow([_cell(v) for v in values])
            yield _drain(buffer)
            if len(batch) < CSV_BATCH:
                return
            after = batch[-1][0]

    return generate()


def _cell(value: Any) -> str:
    text = value.isoformat() if isinstance(value, datetime) else ("" if value is None else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text  # no formula injection into spreadsheets


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text


async def verify_now(actor: Actor) -> audit.Verdict:
    await require(actor.user, MAY_OVERSIGHT_AUDIT)
    async with in_transaction():
        verdict = await audit.check(actor, full=True)  # an explicit check re-walks everything
        await audit.record(
            actor,
            access.AUDIT_CHECKED,
            object_type="audit_log",
            detail={"ok": verdict.ok, "verified_to": verdict.count},
        )
    return verdict


def _meaning(actor: Actor, action: str) -> str:
    """What an action means, from the registry (an action no room defines any more shows as its name)."""
    known = actor.registry.actions.get(action)
    return known.meaning if known else action
