"""The supervisor's dashboard lists Spravato (esketamine, intranasal) sessions that were given and whose REMS
monitoring form has not been submitted yet (the FDA Spravato REMS wants it within 7 days of the session)."""

from __future__ import annotations

from care.models import Infusion
from tests.care.conftest import casey, sign_in, spravato_course
from tests.care.test_infusions import GOOD
from tests.conftest import another

SPRAVATO = {
    **GOOD,
    "agent": "esketamine",
    "route": "intranasal",
    "spravato_mg": "56",
    "scheduled_at": "2026-11-20T09:00",  # two days before the test clock's "today" (22 Nov 2026)
    "started_at": "2026-11-20T09:10",
    "ended_at": "2026-11-20T09:50",
    "discharge_ready_at": "2026-11-20T11:15",
}


async def _spravato(client, csrf: str, number: int, **changes: str) -> Infusion:
    patient = await casey()
    data = {**SPRAVATO, "number": str(number), **changes, "csrf_token": csrf}
    r = await client.post(f"/patients/{patient.id}/infusions/new", data=data)
    assert r.status_code == 303, r.text
    return await Infusion.get(patient_id=patient.id, number=number)


def _outstanding(html: str) -> str:
    """The count shown beside "Spravato REMS forms not submitted"."""
    after = html.split("Spravato REMS forms not submitted</dt><dd>", 1)[1]
    return after.split("</a>", 1)[0].rsplit(">", 1)[1]


async def test_a_given_spravato_session_without_its_rems_form_is_listed_on_the_dashboard(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    await spravato_course(client, csrf, await casey())
    due = await _spravato(client, csrf, 7)
    await _spravato(client, csrf, 8, rems_form_submitted_on="2026-11-21")  # form sent: not outstanding
    await _spravato(  # booked for next week, not given yet: nothing is due
        client,
        csrf,
        9,
        scheduled_at="2026-11-27T09:00",
        started_at="",
        ended_at="",
        discharge_ready_at="",
    )
    async with another(client) as sup:
        await sign_in(sup, "supervisor@demo.clinic")
        page = await sup.get("/oversight")
    assert page.status_code == 200
    assert _outstanding(page.text) == "1"
    rems = page.text.split('id="rems"', 1)[1]
    assert f'/infusions/{due.id}">Casey Morgan · infusion 7</a>' in rems
    assert "infusion 8" not in rems and "infusion 9" not in rems


async def test_the_outstanding_rems_list_adds_no_queries_per_session(client, demo, queries, caplog):
    csrf = await sign_in(client, "nurse@demo.clinic")
    await spravato_course(client, csrf, await casey())
    await _spravato(client, csrf, 7)
    async with another(client) as sup:
        await sign_in(sup, "supervisor@demo.clinic")
        one = await queries.page(sup, "/oversight", caplog)
        for number in range(8, 14):
            await _spravato(client, csrf, number)
        assert await queries.page(sup, "/oversight", caplog) == one
        assert _outstanding(queries.text) == "7"
        assert queries.text.split('id="rems"', 1)[1].count("Casey Morgan · infusion") == 7
