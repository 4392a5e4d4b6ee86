"""The SQLite walk of `audit verify` (server/audit_hash.walk_sqlite) hashes most rows from bytes without building
str values; whatever is stored, its verdict must be walk_rows' — the same first bad row, the same problem, the
same last hash — and a tampered row must never pass."""

from __future__ import annotations

import hmac
import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from server import audit, audit_hash

KEY = b"k" * 32
TEXT = st.text(max_size=12)  # any characters: quotes, backslashes, control characters, NUL, non-ASCII
PLAIN = st.text(st.characters(min_codepoint=32, blacklist_categories=("Cs",), blacklist_characters='"\\'), max_size=12)
INT = st.one_of(st.none(), st.integers(-(2**40), 2**40))
DETAIL = st.one_of(st.just({}), st.dictionaries(TEXT, st.one_of(st.integers(), TEXT), max_size=3))
ROW = st.tuples(
    st.datetimes(timezones=st.just(UTC)), INT, PLAIN, INT, st.one_of(PLAIN, TEXT), PLAIN, PLAIN, INT, PLAIN,
    st.one_of(PLAIN, TEXT), PLAIN, PLAIN, DETAIL,
)  # fmt: skip
TAMPER = st.one_of(
    st.tuples(st.sampled_from(["actor_role", "action", "object_id", "reason", "ip", "request_id"]), TEXT),
    st.tuples(st.sampled_from(["actor_id", "clinic_id", "patient_id"]), INT),
    st.tuples(st.just("at"), st.datetimes(timezones=st.just(UTC)).map(str)),
    st.tuples(st.just("detail"), DETAIL.map(json.dumps)),
    st.tuples(st.just("prev_hash"), st.just("0" * 64)),
    st.tuples(st.just("hash"), st.just("f" * 64)),
)


def _chain(rows: list[tuple]) -> sqlite3.Connection:
    """A chain as Tortoise stores it on SQLite: `at` and `detail` as text."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE audit_event (seq BIGINT NOT NULL PRIMARY KEY, at TIMESTAMP NOT NULL, actor_id INT, actor_role "
        "VARCHAR(16) NOT NULL, clinic_id INT, action VARCHAR(64) NOT NULL, object_type VARCHAR(32) NOT NULL, "
        "object_id VARCHAR(64) NOT NULL, patient_id INT, outcome VARCHAR(16) NOT NULL, reason VARCHAR(500) NOT NULL, "
        "ip VARCHAR(64) NOT NULL, request_id VARCHAR(32) NOT NULL, detail JSON NOT NULL, prev_hash VARCHAR(64) NOT "
        "NULL, hash VARCHAR(64) NOT NULL)"
    )
    prev = audit.GENESIS_HASH
    for seq, values in enumerate(rows, start=1):
        row = dict(zip(audit.HASHED_FIELDS, (seq, *values), strict=True))
        digest = audit.compute_hash(KEY, row, prev)
        stored = [*row.values(), prev, digest]
        stored[1], stored[13] = str(row["at"]), json.dumps(row["detail"])
        db.execute(f"INSERT INTO audit_event VALUES ({', '.join('?' * 16)})", stored)
        prev = digest
    return db


def _verdicts(db: sqlite3.Connection, start: int, prev: str | None) -> tuple[tuple, tuple]:
    fast = audit_hash.Walk(start, prev)
    audit_hash.walk_sqlite(db, KEY, fast, 10**9, batch=3)
    db.text_factory = str
    rows = db.execute(f"SELECT {', '.join(audit.COLUMNS)} FROM audit_event WHERE seq >= ? ORDER BY seq", (start,))
    plain = audit_hash.Walk(start, prev)
    audit_hash.walk_rows(KEY, rows.fetchall(), plain)
    return tuple(vars(fast).values()), tuple(vars(plain).values())


@hsettings(deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=6), tamper=st.one_of(st.none(), TAMPER), where=st.integers(1, 6))
def test_the_sqlite_walk_gives_the_verdict_of_the_plain_walk(rows, tamper, where):
    with closing(_chain(rows)) as db:
        seq = min(where, len(rows))
        if tamper is not None:
            column, value = tamper
            db.execute(f"UPDATE audit_event SET {column} = ? WHERE seq = ?", (value, seq))  # noqa: S608
        for start, prev in ((1, audit.GENESIS_HASH), (1, None), (seq, None)):
            fast, plain = _verdicts(db, start, prev)
            assert fast == plain


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reason", 'said "no"'),  # a quote: the row leaves the bytes path
        ("reason", "line\nbreak"),
        ("actor_role", "therapist\x00"),  # NUL, which SQLite text functions would stop at
        ("actor_id", "9"),  # text where an integer was: SQLite keeps it an integer
        ("actor_id", "eight"),  # stays text: the integer guard sends it to Python, which cannot read it as a number
        ("at", "2026-01-01 00:00:00.000001+00:00"),
        ("at", "2026-01-01 00:00:01+00:00"),
        ("ip", "é"),
        ("detail", '{"b": 1, "a": 2}'),
    ],
)
def test_a_row_altered_after_it_was_hashed_is_caught_by_the_sqlite_walk(column, value):
    at = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [(at, 8, "therapist", 1, "a.b", "patient", "3", 3, "ok", "", "", "", {})] * 3
    with closing(_chain(rows)) as db:
        db.execute(f"UPDATE audit_event SET {column} = ? WHERE seq = 2", (value,))  # noqa: S608
        walk = audit_hash.Walk(1, audit.GENESIS_HASH)
        try:
            audit_hash.walk_sqlite(db, KEY, walk, 10)
        except ValueError:  # the plain walk cannot read "eight" as an integer either
            assert value == "eight"
            return
        assert (walk.bad_seq, walk.problem, walk.next_seq) == (2, "row content does not match its hash", 2)


def test_the_precomputed_hmac_is_hmac_sha256():
    for key in (b"", b"short", b"k" * 64, b"long" * 40):
        for message in (b"", b"x", b"m" * 1000):
            assert audit_hash.Hasher(key)(message) == hmac.digest(key, message, "sha256").hex()


def test_rows_on_a_whole_second_take_the_bytes_path(monkeypatch):
    """Tortoise writes a whole-second time without a fraction; such rows (every row a seeded benchmark chain has)
    are hashed from bytes like the rest, not read again one by one."""
    rows = [(datetime(2026, 1, 1, 0, 0, n, tzinfo=UTC), 8, "therapist", 1, "a.b", "patient", "3", 3, "ok", "", "",
             "", {}) for n in range(5)]  # fmt: skip
    slow: list[int] = []
    plain_one = audit_hash._one
    monkeypatch.setattr(audit_hash, "_one", lambda db, seq: slow.append(seq) or plain_one(db, seq))
    with closing(_chain(rows)) as db:
        assert len(db.execute("SELECT at FROM audit_event").fetchone()[0]) == 25
        fast, plain = _verdicts(db, 1, audit.GENESIS_HASH)
        assert fast == plain and fast[2:4] == (None, None)  # first_prev unset from genesis, no bad row
        assert slow == []
        db.execute("UPDATE audit_event SET at = ? WHERE seq = 3", ("2026-01-01 00:00:09+00:00",))
        fast, plain = _verdicts(db, 1, audit.GENESIS_HASH)
        assert fast == plain and fast[3] == 3
