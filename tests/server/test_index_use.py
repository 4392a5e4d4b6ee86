"""Every page finds its rows through an index: each SELECT that any GET route runs (the read-audit walk's visits,
tests/server/read_audit_pages.py, as every role that may see the page) is planned by SQLite with EXPLAIN QUERY PLAN,
and none may read a whole table except the few that hold one row per clinic, account or setting.

SQLite plans without statistics here (no ANALYZE), so the plan is the same on the demo database as on a clinic with
years of rows: a "SCAN journal_entry" found here is a scan of every patient's journal there. It found, when written,
an entry's conflict copies looked up by scanning the whole journal on every entry page and autosave, the dashboard
reading every infusion twice and every signed note once, and unindexed medication, allergy, diagnosis, consent,
booking, reply, alert and session lookups (migration 0032)."""

from __future__ import annotations

import logging
import re

import pytest
from tortoise import connections

from tests.conftest import another, login
from tests.server.read_audit_pages import demo_records
from tests.server.test_read_audit import _visits

# Tables a page may read whole: one row per clinic or per verification run, or (audit_checkpoint) read newest first
# through its primary key with a LIMIT, which SQLite reports as a scan.
WHOLE = {"clinic", "audit_checkpoint", "tortoise_migrations"}
SCAN = re.compile(r"^SCAN (\w+)$")  # "SCAN t USING INDEX …" and subquery results ("SCAN s0") are not table scans


async def _scans(statements: list[tuple[str, list]], tables: set[str]) -> list[str]:
    conn = connections.get("default")
    found = []
    for sql, values in statements:
        if not sql.lstrip().upper().startswith("SELECT") or " WHERE 1=0" in sql:  # an empty IN: reads nothing
            continue
        plan = await conn.execute_query_dict("EXPLAIN QUERY PLAN " + sql, values)
        for step in plan:
            match = SCAN.match(step["detail"])
            if match and match.group(1) in tables and match.group(1) not in WHOLE:
                found.append(f"{step['detail']}: …{sql[sql.find(' FROM ') :][:400]}")
    return found


async def test_no_page_reads_a_whole_table(client, demo, settings, caplog):
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; the plans are checked on the SQLite run of the suite")
    conn = connections.get("default")
    tables = {r["name"] for r in await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type='table'")}
    d = await demo_records(settings.var_dir)
    problems: dict[str, list[str]] = {}
    for name, visit, _ in _visits():
        async with another(client) as browser:
            if visit.who:
                assert (await login(browser, visit.who)).status_code == 303
            caplog.clear()
            with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
                response = await browser.get(visit.path.format(**vars(d)), headers=visit.headers)
            statements = [r.args for r in caplog.records if r.name == "tortoise.db_client" and len(r.args) == 2]
        assert response.status_code in (200, 303)
        if found := await _scans(statements, tables):  # type: ignore[arg-type]
            problems[f"{name} as {visit.who}"] = found
    assert problems == {}, "\n".join(f"{page}:\n  " + "\n  ".join(found) for page, found in problems.items())
