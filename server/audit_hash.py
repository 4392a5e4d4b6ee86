"""The audit chain's arithmetic, apart from the database layer: the canonical form of a stored row, the HMAC and the
walk along stored rows. It imports nothing heavy, so `audit verify`'s worker processes start quickly.

The definition of what is hashed is server.audit.canonical() (compact JSON with sorted keys); canonical_row writes
the same bytes from a stored row's columns (tested byte for byte). SQLITE_RANGE lets SQLite write those bytes itself
for rows whose text needs no JSON escaping; walk_sqlite() checks such rows on them and sends every other row, and
every row whose hash does not match, through canonical_row — so the verdict is exactly canonical_row's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_role", "clinic_id", "action", "object_type", "object_id", "patient_id",
    "outcome", "reason", "ip", "request_id", "detail",
)  # fmt: skip
COLUMNS = (*HASHED_FIELDS, "prev_hash", "hash")  # audit_event's columns in stored-row order


class Hasher:
    """HMAC-SHA256 under one key with the key's inner and outer pads hashed once (RFC 2104), so each message costs
    two SHA-256 copies instead of a fresh HMAC; hex digests equal to hmac.digest(key, message, "sha256").hex()."""

    def __init__(self, key: bytes) -> None:
        block = hashlib.sha256().block_size
        if len(key) > block:
            key = hashlib.sha256(key).digest()
        key = key.ljust(block, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def __call__(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def iso_at(value: object) -> str:
    """`at` as hashed (UTC ISO 8601 with microseconds) from what the driver returns: text on SQLite, a datetime on
    PostgreSQL. Tortoise writes SQLite datetimes as `YYYY-MM-DD HH:MM:SS[.ffffff]+00:00` (no fraction on a whole
    second); those shapes are rewritten in place, anything else is parsed."""
    if isinstance(value, str) and value[10:11] == " " and value.endswith("+00:00"):
        if len(value) == 32:
            return f"{value[:10]}T{value[11:]}"
        if len(value) == 25:
            return f"{value[:10]}T{value[11:19]}.000000+00:00"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


_text = json.encoder.encode_basestring  # the escaping json.dumps(ensure_ascii=False) applies to a str


def detail_json(value: object) -> str:
    if isinstance(value, str):
        if value == "{}":
            return value
        value = json.loads(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_row(r: Sequence[Any]) -> bytes:
    """canonical() of one stored row in HASHED_FIELDS order, written out directly: the same bytes, several times
    faster than building a dict for json.dumps (`audit verify` walks millions of rows)."""
    seq, at, actor_id, role, clinic_id, action, object_type, object_id, patient_id, outcome, reason, ip, rid, d = r
    # Integer columns print as json.dumps prints an int; a missing one is null.
    actor = "null" if actor_id is None else int(actor_id)
    clinic = "null" if clinic_id is None else int(clinic_id)
    patient = "null" if patient_id is None else int(patient_id)
    return (
        f'{{"action":{_text(action)},"actor_id":{actor},"actor_role":{_text(role)},'
        f'"at":"{iso_at(at)}","clinic_id":{clinic},"detail":{detail_json(d)},"ip":{_text(ip)},'
        f'"object_id":{_text(object_id)},"object_type":{_text(object_type)},"outcome":{_text(outcome)},'
        f'"patient_id":{patient},"reason":{_text(reason)},"request_id":{_text(rid)},'
        f'"seq":{int(seq)}}}'
    ).encode()


@dataclass
class Walk:
    """How far a walk along the chain has got: the seq it expects next and the hash that row must link to (None:
    take the first row's link as given, for a range walked on its own that the caller joins to the one before)."""

    next_seq: int
    prev_hash: str | None
    first_prev: str | None = None
    bad_seq: int | None = None
    problem: str = ""


def walk_rows(key: bytes | Hasher, rows: Iterable[Sequence[Any]], at: Walk) -> bool:
    """Check stored rows (columns in COLUMNS order) in seq order from where `at` stands; False at the first row
    whose seq, link or hash is wrong (recorded in `at`). Plain tuples, no dict per row: `audit verify` walks
    millions."""
    mac = key if isinstance(key, Hasher) else Hasher(key)
    compare = hmac.compare_digest
    expected, prev = at.next_seq, at.prev_hash
    for row in rows:
        seq, stored_prev, stored_hash = row[0], row[14], row[15]
        problem = ""
        if seq != expected:
            problem, seq = f"seq {expected} is missing (next is {seq})", expected
        elif prev is None:
            prev = at.first_prev = stored_prev
        elif stored_prev != prev:
            problem = "link to the previous row is broken"
        if not problem:
            assert prev is not None  # set from the first row just above if it was None
            if compare(mac(canonical_row(tuple(row)[:14]) + prev.encode()), stored_hash):
                expected, prev = expected + 1, stored_hash
                continue
            problem = "row content does not match its hash"
        at.next_seq, at.prev_hash, at.bad_seq, at.problem = expected, prev, seq, problem
        return False
    at.next_seq, at.prev_hash = expected, prev
    return True


# SQLite, text as bytes: canonical_row's bytes are written with one bytes format for the common row — texts JSON
# writes unchanged between quotes, integer columns as integers or null, `at` in Tortoise's microsecond shape, as
# ASCII. Any other row, and any row whose hash does not match, goes through canonical_row on its str values, so the
# verdict is exactly canonical_row's (a row passes only when these bytes are the ones hashed at append).
_INT = "CASE typeof({0}) WHEN 'integer' THEN CAST({0} AS TEXT) WHEN 'null' THEN 'null' ELSE '\"' END"
_ACTOR, _CLINIC, _PATIENT = (_INT.format(column) for column in ("actor_id", "clinic_id", "patient_id"))
_RANGE_BYTES = f'SELECT seq, at, {_ACTOR}, actor_role, {_CLINIC}, action, object_type, object_id, {_PATIENT}, outcome, reason, ip, request_id, detail, prev_hash, hash FROM "audit_event" WHERE "seq" >= ? AND "seq" < ? ORDER BY "seq"'  # noqa: E501, S608 - constants
_ONE = f'SELECT {", ".join(COLUMNS)} FROM "audit_event" WHERE "seq" = ?'  # noqa: S608 - constants
_CANONICAL = (
    b'{"action":"%s","actor_id":%s,"actor_role":"%s","at":"%sT%s","clinic_id":%s,"detail":%s,"ip":"%s",'
    b'"object_id":"%s","object_type":"%s","outcome":"%s","patient_id":%s,"reason":"%s","request_id":"%s",'
    b'"seq":%d}%s'
)
_ESCAPED = re.compile(rb'["\\\x00-\x1f]').search  # what JSON would escape in a text (or a guarded integer)


def _one(db: sqlite3.Connection, seq: object) -> Sequence[Any]:
    db.text_factory = str
    try:
        return cast(Sequence[Any], db.execute(_ONE, (seq,)).fetchone())
    finally:
        db.text_factory = bytes


def walk_sqlite(db: sqlite3.Connection, key: bytes, at: Walk, end: int, batch: int = 20_000) -> None:
    """walk_rows() over seq in [at.next_seq, end) on a SQLite connection, the common row in bytes; the same
    verdict, recorded in `at`."""
    mac, compare, escaped, canonical = Hasher(key), hmac.compare_digest, _ESCAPED, _CANONICAL
    db.text_factory = bytes
    cursor = db.execute(_RANGE_BYTES, (at.next_seq, end))
    expected = at.next_seq
    prev = None if at.prev_hash is None else at.prev_hash.encode()
    while rows := cursor.fetchmany(batch):
        for row in rows:
            seq, t, actor, role, clinic, action, kind, oid, patient, outcome, reason, ip, rid, d, link, stored = row
            try:
                if (
                    seq == expected
                    and (link == prev or prev is None)
                    and (len(t) == 32 or len(t) == 25)  # with microseconds, or on a whole second (no fraction)
                    and t[10:11] == b" "
                    and t.endswith(b"+00:00")
                    and t.isascii()
                    and not escaped(b"".join(row[2:13]))  # actor_id … request_id, the integers guarded
                ):
                    body = d if d == b"{}" else detail_json(d.decode()).encode()
                    clock = t[11:] if len(t) == 32 else t[11:19] + b".000000+00:00"  # as iso_at writes it
                    fields = (action, actor, role, t[:10], clock, clinic, body, ip, oid, kind, outcome, patient)
                    if compare(mac(canonical % (*fields, reason, rid, seq, link)).encode(), stored):
                        if prev is None:
                            at.first_prev = link.decode()
                        expected, prev = expected + 1, stored
                        continue
            except (TypeError, AttributeError, ValueError):  # a column of another type or shape: as below
                pass
            at.next_seq, at.prev_hash = expected, None if prev is None else prev.decode()
            if not walk_rows(mac, [_one(db, seq)], at):
                return
            expected, prev = at.next_seq, cast(str, at.prev_hash).encode()
    at.next_seq, at.prev_hash = expected, None if prev is None else prev.decode()
