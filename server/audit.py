"""The tamper-evident audit log (HIPAA audit controls, 45 CFR 164.312(b)): one helper to append, one to verify.

Each row's hash is HMAC-SHA256(key, canonical_json(row) || prev_hash) with the key kept outside the database, so
changing, deleting or reordering any row breaks the chain from that row on. Appends are serialised: SQLite
transactions begin IMMEDIATE (server/sqlite_backend.py); PostgreSQL locks the one-row chain head.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC
from types import ModuleType
from typing import Any, cast

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import in_transaction

from server import audit_hash, audit_head, compiled, sql
from server.actor import Actor
from server.models import AuditChainHead, AuditCheckpoint, AuditEvent

GENESIS_HASH = audit_hash.GENESIS_HASH
HASHED_FIELDS = audit_hash.HASHED_FIELDS
COLUMNS = audit_hash.COLUMNS  # audit_event's columns in stored-row order
Walk, walk_rows = audit_hash.Walk, audit_hash.walk_rows


class Action(str):
    """An audit action's name with its one-line meaning. Rooms define their own as module constants and hand them
    to the registry in `setup`; docs/audit-actions.md must list every registered one (tested)."""

    meaning: str

    def __new__(cls, name: str, meaning: str) -> Action:
        action = super().__new__(cls, name)
        action.meaning = meaning
        return action


define = Action  # `X = audit.define("name", "meaning")`: a value, registered only when a room's setup hands it over


def actions_in(*modules: ModuleType) -> list[Action]:
    """The audit actions a module defines as constants, for a room's `setup`."""
    return [value for module in modules for value in vars(module).values() if isinstance(value, Action)]


LOGIN = define("auth.login", "A user signed in.")
LOGIN_FAILED = define("auth.login_failed", "A sign-in attempt failed (unknown email, wrong password or disabled).")
LOGIN_THROTTLED = define("auth.login_throttled", "A sign-in attempt was refused because of too many failures.")
LOGOUT = define("auth.logout", "A user signed out; their session was revoked.")
SESSION_EXPIRED = define("auth.session_expired", "A request arrived on a session past its idle or absolute limit.")
PASSWORD_CHANGED = define("auth.password_changed", "A user changed their own password.")
USER_CREATED = define("user.created", "An account was created (`approval`: requested when a supervisor must approve).")
USER_UPDATED = define("user.updated", "An admin changed an account; a wider role is only requested (`requested_role`).")
USER_DISABLED = define("user.disabled", "An admin disabled an account; all its sessions were revoked.")
USER_ENABLED = define("user.enabled", "An admin re-enabled a disabled account.")
USER_PASSWORD_RESET = define("user.password_reset", "An admin reset a sign-in: password void, sessions ended.")
USER_LIST_VIEWED = define("user.list_viewed", "An admin viewed the clinic's account list.")
ACCESS_DENIED = define("access.denied", "A signed-in user was refused a page or action their role does not allow.")


class AuditOutsideTransaction(RuntimeError):
    """record() was called outside a transaction, so the event could be lost while the change it describes is kept."""


def canonical(row: dict[str, Any]) -> bytes:
    """The definition of what is hashed: compact JSON with sorted keys. Appends and `audit verify` both use
    audit_hash.canonical_row, which writes the same bytes directly (tested against this, byte for byte)."""
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(key: bytes, row: dict[str, Any], prev_hash: str) -> str:
    values = tuple(row[name] for name in HASHED_FIELDS)
    return hmac.digest(key, audit_hash.canonical_row(values) + prev_hash.encode(), "sha256").hex()


def _row(
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    patient_id: int | None = None,
    outcome: str = "ok",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    actor_user_id: int | None = None,
    clinic_id: int | None = None,
) -> dict[str, Any]:
    if not isinstance(action, Action):
        raise ValueError(f"undefined audit action {action!r}")
    user = actor.user
    return {
        "at": actor.now.astimezone(UTC).replace(tzinfo=UTC),
        "actor_id": actor_user_id if actor_user_id is not None else (user.id if user else None),
        "actor_role": str(user.role) if user else "",
        "clinic_id": clinic_id if clinic_id is not None else (user.clinic_id if user else None),
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "patient_id": patient_id,
        "outcome": outcome,
        "reason": reason[:500],
        "ip": actor.ip[:64],
        "request_id": actor.request_id[:32],
        "detail": detail or {},
    }


_INSERT = compiled.Insert(AuditEvent, COLUMNS)
remember_head = audit_head.remember


def _chain(key: bytes, rows: list[dict[str, Any]], seq: int, prev: str) -> tuple[list[list[Any]], int, str]:
    values = []
    for row in rows:
        seq += 1
        row["seq"] = seq
        digest = compute_hash(key, row, prev)
        values.append([*(row[name] for name in HASHED_FIELDS), prev, digest])
        prev = digest
    return values, seq, prev


async def _append(conn: BaseDBAsyncClient, key: bytes, rows: list[dict[str, Any]]) -> None:
    """Chain rows on after the head and move the head, inside the caller's transaction (server/audit_head.py)."""
    await audit_head.append(conn, lambda seq, prev: _chain(key, rows, seq, prev), _INSERT)


async def append_rows(key: bytes, rows: list[dict[str, Any]]) -> None:
    """Chain prepared events on after the head, inside the caller's transaction, in one batch: for bulk loaders such
    as the load-test seeder. Each row holds every hashed field but `seq`, which is assigned here. Services record
    events with record() / record_read() instead."""
    conn = connections.get("default")
    if not isinstance(conn, TransactionalDBClient):
        raise AuditOutsideTransaction(rows[0]["action"] if rows else "")
    undefined = sorted({str(row["action"]) for row in rows if not isinstance(row["action"], Action)})
    if undefined:
        raise ValueError(f"undefined audit actions {undefined!r}")
    for row in rows:
        row["action"] = str(row["action"])
    if rows:
        await _append(conn, key, rows)


async def record(actor: Actor, action: str, **fields: Any) -> None:
    """Append one event. Must run inside the transaction of the work it describes. Keywords: object_type,
    object_id, patient_id, outcome, reason, detail, actor_user_id, clinic_id (see _row)."""
    row = _row(actor, action, **fields)
    conn = connections.get("default")
    if not isinstance(conn, TransactionalDBClient):
        raise AuditOutsideTransaction(action)
    await _append(conn, actor.settings.audit_key, [row])


async def record_read(actor: Actor, action: str, **fields: Any) -> None:
    """Audit a read of records that were not changed. Inside a transaction the event joins it. Within a request it
    is held until the handler is done, then the request's reads go to the next group commit together (one
    transaction and one fsync for every request waiting at that moment) and the response leaves only once they are
    durable (`reads_durable`, applied by server.web.route). Elsewhere this call waits for its own commit. If the
    append fails, the request fails: nothing is shown that was not recorded. Takes record()'s keywords."""
    if _reads_covered.get():
        return
    row = _row(actor, action, **fields)
    conn = connections.get("default")
    if isinstance(conn, TransactionalDBClient):
        await _append(conn, actor.settings.audit_key, [row])
        return
    held = _request_reads.get()
    if held is None:
        await _committer(actor.settings.audit_key).add([row])
    else:
        held.append((actor.settings.audit_key, row))


@contextmanager
def shown_again() -> Iterator[None]:
    """Build the page a refused write shows again, when the refusal was recorded itself (a wrong step-up password,
    a stale save): that event names the record and patient, so the page's reads are not recorded on top of it."""
    token = _reads_covered.set(True)
    try:
        yield
    finally:
        _reads_covered.reset(token)


# Reads audited during the current request, appended when its handler returns (set by server.web.route); and whether
# reads are covered by a recorded refusal (shown_again).
_reads_covered: ContextVar[bool] = ContextVar("audit_reads_covered", default=False)
_request_reads: ContextVar[list[tuple[bytes, dict[str, Any]]] | None] = ContextVar("audit_request_reads", default=None)


@asynccontextmanager
async def reads_durable() -> AsyncIterator[None]:
    """Hold the response of a request until every read it audited is committed; a failed append fails it."""
    held: list[tuple[bytes, dict[str, Any]]] = []
    token = _request_reads.set(held)
    try:
        yield
    finally:
        _request_reads.reset(token)
    if held:
        keys = {key for key, _ in held}
        await asyncio.gather(*(_committer(k).add([row for key, row in held if key == k]) for k in keys))


class _GroupCommit:
    """One per event loop: read events queue here and are appended in batches, each batch one transaction."""

    LIMIT = 500

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.queue: list[tuple[list[dict[str, Any]], asyncio.Future[None]]] = []
        self.task: asyncio.Task[None] | None = None

    def add(self, rows: list[dict[str, Any]]) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.queue.append((rows, done))
        if self.task is None or self.task.done():
            # Only ever started outside a transaction (record_read and reads_durable run outside one), so the
            # task's own transactions use the shared connection, never a request's.
            self.task = asyncio.create_task(self._drain())
        return done

    async def _drain(self) -> None:
        while self.queue:
            batch: list[tuple[list[dict[str, Any]], asyncio.Future[None]]] = []
            while self.queue and sum(len(rows) for rows, _ in batch) < self.LIMIT:
                batch.append(self.queue.pop(0))
            try:
                async with in_transaction() as conn:
                    await _append(conn, self.key, [row for rows, _ in batch for row in rows])
            except Exception as exc:  # noqa: BLE001 - every waiting request gets the failure
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)


_committers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[bytes, _GroupCommit]] = (
    weakref.WeakKeyDictionary()
)


def _committer(key: bytes) -> _GroupCommit:
    per_loop = _committers.setdefault(asyncio.get_running_loop(), {})
    if key not in per_loop:
        per_loop[key] = _GroupCommit(key)
    return per_loop[key]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    bad_seq: int | None = None
    problem: str = ""


_VERIFY_BATCH = f'SELECT {", ".join(COLUMNS)} FROM "audit_event" WHERE "seq" >= ? ORDER BY "seq" LIMIT ?'  # noqa: S608 - constants


async def verify(key: bytes, batch: int = 20_000, after_seq: int = 0, after_hash: str = GENESIS_HASH) -> Verdict:
    """Walk the chain in seq order (all of it, or on from a verified seq and hash); report the first row whose seq,
    link or hash is wrong. `count` is the last good seq."""
    at = Walk(after_seq + 1, after_hash)
    conn = sql.connection()
    while True:
        _, rows = await conn.execute_query(sql.statement(conn, _VERIFY_BATCH), [at.next_seq, batch])
        if not walk_rows(key, cast(Iterable[Sequence[Any]], rows), at):  # driver rows: sqlite3.Row, asyncpg Record
            return Verdict(False, at.next_seq - 1, at.bad_seq, at.problem)
        if len(rows) < batch:
            break
    count = at.next_seq - 1
    head = await AuditChainHead.get(id=1)
    if head.seq != count or head.hash != at.prev_hash:
        return Verdict(False, count, count + 1, f"chain head says {head.seq} events; rows after seq {count} are gone")
    return Verdict(True, count)


async def check(actor: Actor, full: bool = False) -> Verdict:
    """Verify the chain — all of it, or on from the last good checkpoint — and store the outcome (what the audit
    viewer shows)."""
    last = None if full else await AuditCheckpoint.filter(ok=True).order_by("-id").first()
    start = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    verdict = await verify(actor.settings.audit_key, after_seq=start[0], after_hash=start[1])
    if not verdict.ok and last is not None:
        verdict = await verify(actor.settings.audit_key)  # name the first bad row from the very start
    head = await AuditChainHead.get(id=1)
    found: dict[str, Any] = {"seq": verdict.count, "ok": verdict.ok, "bad_seq": verdict.bad_seq}
    await AuditCheckpoint.create(
        verified_at=actor.now, hash=head.hash if verdict.ok else "", problem=verdict.problem[:200], **found
    )
    return verdict
