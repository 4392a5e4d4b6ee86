from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from tortoise import connections
from tortoise.transactions import in_transaction

from server import audit, audit_hash, audit_walk
from server.models import AuditChainHead, AuditEvent
from tests.conftest import PG_URL, login

FIELDS = {
    "action": "'auth.logout'",
    "actor_id": "999",
    "outcome": "'denied'",
    "reason": "'edited'",
    "ip": "'198.51.100.1'",
    "object_id": "'42'",
    "detail": "'{}'",
    "at": "'2020-01-01 00:00:00+00:00'",
    "prev_hash": "'" + "1" * 64 + "'",
    "hash": "'" + "2" * 64 + "'",
}


class Rollback(Exception):
    pass


async def _allow_tampering(conn) -> None:
    # One statement at a time: sqlite3's executescript() would COMMIT first and make the tampering permanent.
    if PG_URL:
        await conn.execute_query("SET LOCAL session_replication_role = replica")
    else:
        await conn.execute_query("DROP TRIGGER audit_event_no_update")
        await conn.execute_query("DROP TRIGGER audit_event_no_delete")


async def _verdict_after(statements: list[str], key: bytes) -> audit.Verdict:
    """Tamper inside a transaction, verify, then roll everything back (triggers included)."""
    verdict = None
    with pytest.raises(Rollback):
        async with in_transaction() as conn:
            await _allow_tampering(conn)
            for sql in statements:
                await conn.execute_query(sql)
            verdict = await audit.verify(key)
            raise Rollback
    assert verdict is not None
    return verdict


async def test_it_verifies_an_untouched_chain(app, demo, client):
    await login(client, "therapist@demo.clinic")
    verdict = await audit.verify(app.state.settings.audit_key)
    assert verdict.ok and verdict.count == await AuditEvent.all().count() >= 9
    head = await AuditChainHead.get(id=1)
    assert head.seq == verdict.count


async def test_it_numbers_events_without_gaps_and_links_each_to_the_previous(app, demo):
    events = await AuditEvent.all().order_by("seq")
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_event SET reason = 'x' WHERE seq = 1", "DELETE FROM audit_event WHERE seq = 1"]
)
async def test_it_refuses_updates_and_deletes_in_the_database(app, demo, sql):
    with pytest.raises(Exception, match="append-only"):  # the driver's own error type differs per database
        await connections.get("default").execute_query(sql)
    assert await AuditEvent.filter(seq=1, reason="").exists()


async def test_it_refuses_to_record_outside_a_transaction(app, actor):
    with pytest.raises(audit.AuditOutsideTransaction):
        await audit.record(actor, audit.LOGOUT)


async def test_it_refuses_undefined_actions(app, actor):
    with pytest.raises(ValueError):
        async with in_transaction():
            await audit.record(actor, "made.up")


# Each example tampers with and verifies a whole chain: a tenth of the profile's examples (30 in CI), at least 10.
CHAIN_EXAMPLES = max(10, hsettings.default.max_examples // 10)


@hsettings(max_examples=CHAIN_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_it_names_the_first_altered_deleted_or_reordered_row(app, demo, data):
    key = app.state.settings.audit_key
    count = await AuditEvent.all().count()
    seq = data.draw(st.integers(1, count), label="seq")
    kind = data.draw(st.sampled_from(["alter", "delete", "reorder"]), label="kind")
    if kind == "alter":
        field = data.draw(st.sampled_from(sorted(FIELDS)), label="field")
        statements = [f"UPDATE audit_event SET {field} = {FIELDS[field]} WHERE seq = {seq}"]
        expected = seq
    elif kind == "delete":
        statements, expected = [f"DELETE FROM audit_event WHERE seq = {seq}"], seq
    else:
        other = data.draw(st.integers(1, count).filter(lambda n: n != seq), label="other")
        low = min(seq, other)
        statements = [
            f"UPDATE audit_event SET seq = -1 WHERE seq = {seq}",
            f"UPDATE audit_event SET seq = {seq} WHERE seq = {other}",
            f"UPDATE audit_event SET seq = {other} WHERE seq = -1",
        ]
        expected = low
    verdict = await _verdict_after(statements, key)
    assert not verdict.ok
    assert verdict.bad_seq == expected
    assert verdict.count == expected - 1
    assert (await audit.verify(key)).ok  # rolled back: the real chain is intact


async def test_it_detects_a_deleted_tail_through_the_chain_head(app, demo):
    count = await AuditEvent.all().count()
    verdict = await _verdict_after([f"DELETE FROM audit_event WHERE seq = {count}"], app.state.settings.audit_key)
    assert not verdict.ok and verdict.bad_seq == count


async def test_it_fails_verification_with_another_key(app, demo):
    verdict = await audit.verify(b"not-the-key")
    assert not verdict.ok and verdict.bad_seq == 1


TEXT = st.text(max_size=30)  # any characters: quotes, backslashes, control characters, non-ASCII
DETAIL = st.dictionaries(TEXT, st.one_of(st.integers(), TEXT, st.lists(st.integers(), max_size=3)), max_size=4)


@hsettings(deadline=None)  # as many examples as the profile (tests/conftest.py): 300 in CI
@given(
    values=st.tuples(
        st.integers(1, 2**40),
        st.datetimes(timezones=st.just(UTC)),
        st.one_of(st.none(), st.integers(1, 2**31)),
        TEXT,
        st.one_of(st.none(), st.integers(1, 2**31)),
        TEXT,
        TEXT,
        TEXT,
        st.one_of(st.none(), st.integers(1, 2**31)),
        TEXT,
        TEXT,
        TEXT,
        TEXT,
        DETAIL,
    ),
    stored_as_text=st.booleans(),
)
def test_the_fast_canonical_form_used_by_verify_is_byte_for_byte_the_hashed_one(values, stored_as_text):
    """verify() hashes stored rows without building dicts; it must produce exactly what record() hashed."""
    row = dict(zip(audit.HASHED_FIELDS, values, strict=True))
    expected = dict(row, at=row["at"].isoformat(timespec="microseconds"))
    stored = list(values)
    if stored_as_text:  # as the SQLite driver returns them: datetimes and JSON as text, in Tortoise's shapes
        stored[1] = str(values[1])
        stored[13] = json.dumps(values[13], separators=(",", ":"), ensure_ascii=False)
    assert audit_hash.canonical_row(tuple(stored)) == audit.canonical(expected)


async def test_concurrent_audited_reads_share_group_commits_and_each_waits_for_its_own(app, demo, actor, monkeypatch):
    """Reads audited outside a transaction are appended in batches: fewer transactions than events, every event
    on disk when its caller resumes, the chain still whole."""
    before = await AuditChainHead.get(id=1)
    batches = []
    append = audit._append

    async def counted(conn, key, rows):
        batches.append(len(rows))
        await append(conn, key, rows)

    monkeypatch.setattr(audit, "_append", counted)

    async def one(n: int) -> int:
        await audit.record_read(actor, audit.USER_LIST_VIEWED, object_id=n)
        # Durable by now: the row is there for anyone to read.
        return await AuditEvent.filter(action=audit.USER_LIST_VIEWED, object_id=str(n)).count()

    assert await asyncio.gather(*(one(n) for n in range(40))) == [1] * 40
    assert sum(batches) == 40 and len(batches) <= 2  # forty reads, one or two transactions
    after = await AuditChainHead.get(id=1)
    assert after.seq == before.seq + 40
    stored = await AuditEvent.filter(seq__gt=before.seq).order_by("seq").values_list("request_id", "object_id")
    assert sorted(int(object_id) for _, object_id in stored) == list(range(40))
    assert (await audit.verify(app.state.settings.audit_key)).ok


async def test_a_failed_group_commit_fails_every_read_waiting_on_it(app, demo, actor, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "_append", broken)
    results = await asyncio.gather(
        *(audit.record_read(actor, audit.USER_LIST_VIEWED) for _ in range(5)), return_exceptions=True
    )
    assert [type(r) for r in results] == [RuntimeError] * 5


async def test_a_page_holds_its_response_until_its_audited_reads_are_on_disk(client, demo, monkeypatch):
    """The chart audits two reads (chart, shared entries): both go down in one append, before the page is sent."""
    await login(client, "therapist@demo.clinic")
    patient = await client.get("/caseload")
    chart = re.search(r'href="(/patients/\d+)"', patient.text).group(1)  # type: ignore[union-attr]
    appends: list[list[str]] = []
    append = audit._append

    async def watched(conn, key, rows):
        await append(conn, key, rows)
        appends.append([row["action"] for row in rows])

    monkeypatch.setattr(audit, "_append", watched)
    page = await client.get(chart)
    assert page.status_code == 200
    assert len(appends) == 1 and {"patient.chart_viewed", "journal.shared_viewed"} <= set(appends[0])


async def test_a_page_whose_read_cannot_be_audited_is_not_shown(client, demo, monkeypatch):
    await login(client, "patient@demo.clinic")

    async def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    shown = await client.get("/journal")
    assert "I keep seeing the same door" in shown.text  # the entry list (titled by first lines), when audited

    monkeypatch.setattr(audit, "_append", broken)
    page = await client.get("/journal")
    assert page.status_code == 500
    assert "I keep seeing the same door" not in page.text
    assert "disk full" not in page.text


async def _tamper_and_commit(statements: list[str]) -> None:
    """Break the chain for good (the test's own database): worker processes only see committed rows."""
    async with in_transaction() as conn:
        await _allow_tampering(conn)
        for statement in statements:
            await conn.execute_query(statement)


def _boundary_cases(count: int, step: int) -> dict[str, list[str]]:
    return {
        "untouched": [],
        "altered row in the middle": [f"UPDATE audit_event SET reason = 'edited' WHERE seq = {count // 2}"],
        "altered last row of a range": [f"UPDATE audit_event SET outcome = 'denied' WHERE seq = {step}"],
        "deleted first row of a range": [f"DELETE FROM audit_event WHERE seq = {step + 1}"],
        "deleted first row": ["DELETE FROM audit_event WHERE seq = 1"],
        "deleted tail": [f"DELETE FROM audit_event WHERE seq >= {count - 1}"],
        "rows swapped across a boundary": [
            f"UPDATE audit_event SET seq = -1 WHERE seq = {step}",
            f"UPDATE audit_event SET seq = {step} WHERE seq = {step + 1}",
            f"UPDATE audit_event SET seq = {step + 1} WHERE seq = -1",
        ],
    }


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 3])
@pytest.mark.parametrize("case", list(_boundary_cases(30, 10)))
async def test_the_parallel_walk_names_the_same_first_bad_row_as_the_single_walk(app, demo, case, workers):
    """`audit verify` splits a long chain into ranges checked by separate processes (one range in its own process
    with one worker); whatever the break, and wherever it falls against the range boundaries, the verdict is the
    single walk's."""
    settings = app.state.settings
    count = await AuditEvent.all().count()
    step = -(-count // 3)  # where three workers split the chain
    await _tamper_and_commit(_boundary_cases(count, step)[case])
    single = await audit.verify(settings.audit_key)
    parallel = await audit_walk.verify_all(settings.database_url, settings.audit_key, workers=workers, parallel_from=0)
    assert (parallel.ok, parallel.bad_seq, parallel.count) == (single.ok, single.bad_seq, single.count)
    assert single.ok == (case == "untouched")
