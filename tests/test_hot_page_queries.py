"""The SQL statements each hot page runs, session lookup and audit append included, pinned exactly: a change that
adds one shows here (and in benchmarks/RESULTS.md), one that removes one updates the number.

Fixed cost per page: the session lookup (one statement, a compiled query joining session, user and clinic) and the
audit append (two statements in the usual case: move the chain head from where this process last saw it, then
insert; see server/audit.py). Issue 20's targets: journal home ≤ 6, dashboard ≤ 8, chart ≤ 6, infusion page ≤ 8.
The chart (5: the patient with their care team, then its lists and its panels' reads put together in one statement,
server/compiled_together.py), the journal home (6: the patient's own profile, everything it shows together, then
what depends on that — which due prompts are answered, how often the practices were done) and the dashboard (8)
meet theirs (before issue 20: 18, 17 and 19), and so does the infusion page (8, before: 12): session, the infusion
with its patient and whether the viewer is on the care team, its vitals and the session's measures together, current
medications (interaction flags), shared entries (the booking's intention a subquery), notes, and the audit
append's two (benchmarks/RESULTS.md)."""
from __future__ import annotations

import pytest

from tests.care.conftest import casey, last_infusion, sign_in
from tests.conftest import another

HOME, DASHBOARD, CHART, INFUSION = 6, 8, 5, 8

async def _count(client, path: str, queries, caplog) -> int:
    await queries.page(client, path, caplog)  # first view: anything remembered per process is in place
    return await queries.page(client, path, caplog)


async def test_the_therapists_pages_run_their_pinned_statements(client, demo, queries, caplog):
    await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    infusion = await last_infusion(patient)
    assert await _count(client, "/caseload", queries, caplog) == DASHBOARD
    assert await _count(client, f"/patients/{patient.id}", queries, caplog) == CHART
    assert await _count(client, f"/infusions/{infusion.id}", queries, caplog) == INFUSION


async def test_the_journal_home_runs_its_pinned_statements(client, demo, queries, caplog):
    async with another(client) as me:
        await sign_in(me, "patient@demo.clinic")
        assert await _count(me, "/journal", queries, caplog) == HOME


@pytest.mark.parametrize("path", ["/caseload", "/journal"])
async def test_one_audit_append_is_two_statements(client, demo, queries, caplog, path):
    email = "therapist@demo.clinic" if path == "/caseload" else "patient@demo.clinic"
    await sign_in(client, email)
    await _count(client, path, queries, caplog)
    statements = [r.getMessage() for r in caplog.records if r.name == "tortoise.db_client"]
    audit = [s for s in statements if "audit_chain_head" in s or "audit_event" in s]
    assert len(audit) == 2 and audit[0].startswith("UPDATE") and audit[1].startswith("INSERT")
