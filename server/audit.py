"""The tamper-evident audit log: one helper to append, one to verify (DESIGN §5).

Each row's hash is HMAC-SHA256(key, canonical_json(row) || prev_hash) with the key kept outside the database, so
changing, deleting or reordering any row breaks the chain from that row on. Appends are serialised: SQLite
transactions begin IMMEDIATE (server/sqlite_backend.py); PostgreSQL locks the one-row chain head.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from server.actor import Actor
from server.models import AuditChainHead, AuditCheckpoint, AuditEvent

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "clinic_id",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "outcome",
    "reason",
    "ip",
    "request_id",
    "detail",
)

# Every action any room records, with a one-line meaning. docs/audit-actions.md must list each (tested).
ACTIONS: dict[str, str] = {}


def define(name: str, meaning: str) -> str:
    """Register an audit action name; rooms call this at import time for their own actions."""
    ACTIONS[name] = meaning
    return name


LOGIN = define("auth.login", "A user signed in.")
LOGIN_FAILED = define("auth.login_failed", "A sign-in attempt failed (unknown email, wrong password or disabled).")
LOGIN_THROTTLED = define("auth.login_throttled", "A sign-in attempt was refused because of too many failures.")
LOGOUT = define("auth.logout", "A user signed out; their session was revoked.")
SESSION_EXPIRED = define("auth.session_expired", "A request arrived on a session past its idle or absolute limit.")
PASSWORD_CHANGED = define("auth.password_changed", "A user changed their own password.")
USER_CREATED = define("user.created", "An admin (or the command line) created an account.")
USER_UPDATED = define("user.updated", "An admin changed an account's name, role or trainee flag.")
USER_DISABLED = define("user.disabled", "An admin disabled an account; all its sessions were revoked.")
USER_ENABLED = define("user.enabled", "An admin re-enabled a disabled account.")
USER_PASSWORD_RESET = define("user.password_reset", "An admin set a new password for an account.")
USER_LIST_VIEWED = define("user.list_viewed", "An admin viewed the clinic's account list.")
ACCESS_DENIED = define("access.denied", "A signed-in user was refused a page or action their role does not allow.")


class AuditOutsideTransaction(RuntimeError):
    """record() was called outside a transaction, so the event could be lost while the change it describes is kept."""


def canonical(row: dict[str, Any]) -> bytes:
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _at(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def compute_hash(key: bytes, row: dict[str, Any], prev_hash: str) -> str:
    fields = {name: row[name] for name in HASHED_FIELDS}
    fields["at"] = _at(fields["at"])
    return hmac.new(key, canonical(fields) + prev_hash.encode(), hashlib.sha256).hexdigest()


async def record(
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
) -> AuditEvent:
    """Append one event. Must run inside the transaction of the work it describes."""
    if action not in ACTIONS:
        raise ValueError(f"undefined audit action {action!r}")
    if not isinstance(connections.get("default"), TransactionalDBClient):
        raise AuditOutsideTransaction(action)
    head = await AuditChainHead.select_for_update().get(id=1)
    user = actor.user
    row: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": actor.now.astimezone(UTC).replace(tzinfo=UTC),
        "actor_id": actor_user_id if actor_user_id is not None else (user.id if user else None),
        "actor_role": str(user.role) if user else "",
        "clinic_id": clinic_id if clinic_id is not None else (user.clinic_id if user else None),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "patient_id": patient_id,
        "outcome": outcome,
        "reason": reason[:500],
        "ip": actor.ip[:64],
        "request_id": actor.request_id[:32],
        "detail": detail or {},
    }
    digest = compute_hash(actor.settings.audit_key, row, head.hash)
    event = await AuditEvent.create(**row, prev_hash=head.hash, hash=digest)
    await AuditChainHead.filter(id=1).update(seq=row["seq"], hash=digest)
    return event


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    bad_seq: int | None = None
    problem: str = ""


async def verify(key: bytes, batch: int = 2000, after_seq: int = 0, after_hash: str = GENESIS_HASH) -> Verdict:
    """Walk the chain in seq order (all of it, or on from a verified seq and hash); report the first row whose seq,
    link or hash is wrong. `count` is the last good seq."""
    expected_seq, prev_hash, count = after_seq + 1, after_hash, after_seq
    columns = (*HASHED_FIELDS, "prev_hash", "hash")
    while True:
        rows = await AuditEvent.filter(seq__gte=expected_seq).order_by("seq").limit(batch).values(*columns)
        for row in rows:
            if row["seq"] != expected_seq:
                return Verdict(False, count, expected_seq, f"seq {expected_seq} is missing (next is {row['seq']})")
            if row["prev_hash"] != prev_hash:
                return Verdict(False, count, row["seq"], "link to the previous row is broken")
            if not hmac.compare_digest(compute_hash(key, row, prev_hash), row["hash"]):
                return Verdict(False, count, row["seq"], "row content does not match its hash")
            expected_seq, prev_hash, count = expected_seq + 1, row["hash"], count + 1
        if len(rows) < batch:
            break
    head = await AuditChainHead.get(id=1)
    if head.seq != count or head.hash != prev_hash:
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
    await AuditCheckpoint.create(
        verified_at=actor.now,
        seq=verdict.count,
        ok=verdict.ok,
        bad_seq=verdict.bad_seq,
        hash=head.hash if verdict.ok else "",
        problem=verdict.problem[:200],
    )
    return verdict
