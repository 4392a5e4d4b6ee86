"""The outbox: messages written in the same transaction as the event that causes them, delivered later.

A service calls `enqueue(...)` inside its own transaction, so a message exists exactly when its cause was saved (a
rolled-back booking sends nothing). A row holds ids only; a renderer registered per kind (`registry.message`) makes
its words at delivery, so a message about a link that was used meanwhile is dropped instead of sent stale.

Delivery (`deliver_due`) runs in every worker every `NOTIFY_INTERVAL_SECONDS` and in `python -m server notify`.
Each run *claims* the rows it will send — `FOR UPDATE SKIP LOCKED` on PostgreSQL, one `BEGIN IMMEDIATE` write
transaction on SQLite — with a lease, so two workers never send the same message; a worker that dies mid-send
leaves its claim to expire and the message is sent by the next run (each email carries a stable Message-ID, so
such a rare resend after a crash is recognisable as the same message). A failure is retried with backoff (2, 4,
8 … minutes, at most 6 hours apart) up to `MAX_ATTEMPTS`; a refusal the mail server calls permanent stops at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from server import mail, sql
from server.models import Clinic, NotificationPreference, OutboxMessage
from server.settings import Settings

if TYPE_CHECKING:
    from server.registry import Registry

log = logging.getLogger("afterglow.outbox")
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BATCH = 50


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2**attempts), timedelta(hours=6))


async def enqueue(
    now: datetime,
    kind: str,
    to: str,
    payload: dict[str, Any],
    *,
    user_id: int | None = None,
    clinic_id: int | None = None,
    due_at: datetime | None = None,
    dedupe_key: str | None = None,
) -> None:
    """Queue one message; call inside the transaction of the event that causes it. `payload` holds ids and
    enumerated values only. A `dedupe_key` already queued (the same prompt, the same booking) adds nothing."""
    row = OutboxMessage(
        kind=kind,
        to_address=to,
        payload=payload,
        user_id=user_id,
        clinic_id=clinic_id,
        dedupe_key=dedupe_key,
        created_at=now,
        next_attempt_at=due_at or now,
    )
    await OutboxMessage.bulk_create([row], ignore_conflicts=dedupe_key is not None)


async def enqueue_once(
    now: datetime, kind: str, to: str, payload: dict[str, Any], *, dedupe_key: str, **where: Any
) -> bool:
    """`enqueue` for a producer: True when this call queued the message (False: it was queued before)."""
    if await OutboxMessage.filter(dedupe_key=dedupe_key).exists():
        return False
    await enqueue(now, kind, to, payload, dedupe_key=dedupe_key, **where)
    return True


def reminder(settings: Settings, subject: str, line: str, path: str = "/journal") -> mail.Rendered:
    """A reminder's words: one neutral line, a link into Afterglow, and where to change reminders (also its
    List-Unsubscribe link)."""
    link, manage = f"{settings.base_url}{path}", f"{settings.base_url}/me/reminders"
    text = f"{line}\n\n{link}\n\nYou get this because reminders are on. To change them: {manage}\n"
    html = (
        f'<p>{escape(line)}</p><p><a href="{escape(link)}">Open Afterglow</a></p>'
        f'<p>You get this because reminders are on. <a href="{escape(manage)}">Change your reminders</a>.</p>'
    )
    return mail.Rendered(subject, text, html, unsubscribe=manage)


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


_DUE = (
    'SELECT "id" FROM "outbox_message" WHERE "sent_at" IS NULL AND "failed_at" IS NULL AND "next_attempt_at" <= ?'
    ' AND ("claimed_until" IS NULL OR "claimed_until" < ?) ORDER BY "next_attempt_at", "id" LIMIT ?'
)

_CLAIM_PG = f'UPDATE "outbox_message" SET "claimed_by" = ?, "claimed_until" = ? WHERE "id" IN ({_DUE} FOR UPDATE SKIP LOCKED) RETURNING "id"'  # noqa: S608, E501 - constants only


async def claim(now: datetime, worker: str, limit: int = BATCH) -> list[int]:
    """Claim up to `limit` due messages for this worker until the lease runs out; nobody else gets them meanwhile."""
    async with in_transaction() as conn:
        if sql.is_postgres(conn):
            rows = await sql.fetch(_CLAIM_PG, (worker, now + LEASE, now, now, limit), conn)
            return sorted(r["id"] for r in rows)
        # SQLite: this write transaction began IMMEDIATE, so no other worker reads between the select and the claim.
        ids = [r["id"] for r in await sql.fetch(_DUE, (now, now, limit), conn)]
        if ids:
            await OutboxMessage.filter(id__in=ids).using_db(conn).update(claimed_by=worker, claimed_until=now + LEASE)
        return ids


@dataclass
class Delivery:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    waiting: int = 0
    queued: int = 0
    errors: list[str] = field(default_factory=list)


async def deliver_due(
    settings: Settings, registry: Registry, transport: mail.Transport | None = None, worker: str | None = None
) -> Delivery:
    """Send every message due now, batch by batch, and record each outcome."""
    transport = transport or mail.transport_for(settings)
    worker = worker or worker_name()
    done = Delivery()
    for produce in registry.producers:  # what time has made due: safe from several workers (dedupe keys)
        done.queued += await produce(settings, settings.clock())
    while ids := await claim(settings.clock(), worker):
        for row in await OutboxMessage.filter(id__in=ids).order_by("id"):
            await _deliver(settings, registry, transport, worker, row, done)
        if len(ids) < BATCH:
            break
    return done


async def _deliver(
    settings: Settings,
    registry: Registry,
    transport: mail.Transport,
    worker: str,
    row: OutboxMessage,
    done: Delivery,
) -> None:
    kind = registry.messages.get(row.kind)
    now = settings.clock()
    mine = OutboxMessage.filter(id=row.id, claimed_by=worker, sent_at=None)
    wait = await _wanted(row, kind.topic, now) if kind and kind.topic != "account" else None
    if isinstance(wait, datetime):  # quiet hours: it waits, without counting as a try
        await mine.update(next_attempt_at=wait, claimed_until=None)
        done.waiting += 1
        return
    rendered = await kind.render(settings, row.payload) if kind and wait is None else None
    if rendered is None:
        why = wait or ("dropped: nothing to send any more" if kind else f"dropped: unknown kind {row.kind}")
        await mine.update(failed_at=now, last_error=why, claimed_until=None)
        done.dropped += 1
        return
    try:
        await transport.send(mail.build(settings, row.id, row.to_address, rendered))
    except mail.Permanent as exc:
        await mine.update(failed_at=now, attempts=row.attempts + 1, last_error=str(exc)[:200], claimed_until=None)
        done.failed += 1
        done.errors.append(f"message {row.id}: {exc}")
        return
    except mail.Transient as exc:
        attempts = row.attempts + 1
        gives_up = attempts >= MAX_ATTEMPTS
        await mine.update(
            attempts=attempts,
            last_error=str(exc)[:200],
            claimed_until=None,
            next_attempt_at=now + backoff(attempts),
            failed_at=now if gives_up else None,
        )
        done.failed += gives_up
        done.retried += not gives_up
        done.errors.append(f"message {row.id}: {exc}")
        log.warning("message %s (%s) not delivered, attempt %s: %s", row.id, row.kind, attempts, exc)
        return
    await mine.update(sent_at=now, attempts=row.attempts + 1, last_error="", claimed_until=None)
    done.sent += 1


async def _wanted(row: OutboxMessage, topic: str, now: datetime) -> datetime | str | None:
    """Whether a reminder may go now: None (yes), a reason it is dropped (the person turned it off), or the time
    its recipient's quiet hours end (in their clinic's time zone)."""
    if row.user_id is None:
        return None
    pref = await NotificationPreference.get_or_none(user_id=row.user_id)
    if pref is None:
        pref = NotificationPreference(email=True, off=[], quiet_from=21, quiet_until=8)
    if not pref.email or topic in (pref.off or []):
        return "dropped: turned off by the person"
    clinic = await Clinic.filter(users__id=row.user_id).first()
    local = now.astimezone(ZoneInfo(clinic.timezone if clinic else "UTC"))
    return quiet_until(local, pref.quiet_from, pref.quiet_until)


def quiet_until(local: datetime, start: int, end: int) -> datetime | None:
    """When quiet hours (from `start` o'clock to `end` o'clock, possibly across midnight) that include `local`
    end; None outside them."""
    hour = local.hour
    inside = start < end and start <= hour < end or start > end and (hour >= start or hour < end)
    if not inside:
        return None
    ends = local.replace(hour=end, minute=0, second=0, microsecond=0)
    return ends if ends > local else ends + timedelta(days=1)


@asynccontextmanager
async def every_interval(
    settings: Settings, name: str, one_round: Callable[[str], Awaitable[Any]]
) -> AsyncIterator[None]:
    """While the app serves, run `one_round(worker)` every `notify_interval_seconds` (not at all at 0) as a
    background task named `name`; a failed round is logged and the next one retries. Outbox delivery and the
    clinic's queued exports (interop/exports.py) both run this way."""
    if settings.notify_interval_seconds <= 0:
        yield
        return

    async def loop() -> None:
        worker = worker_name()
        while True:
            try:
                await one_round(worker)
            except Exception:  # a database hiccup must not end the work for the worker's lifetime
                log.exception("%s: a background round failed", name)
            await asyncio.sleep(settings.notify_interval_seconds)

    task = asyncio.create_task(loop(), name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def delivering(settings: Settings, registry: Registry) -> AbstractAsyncContextManager[None]:
    """Run delivery in the background every `notify_interval_seconds` while the app serves (not at all at 0)."""
    return every_interval(settings, "afterglow-outbox", lambda worker: deliver_due(settings, registry, worker=worker))
