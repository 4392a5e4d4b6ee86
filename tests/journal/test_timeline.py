"""The journal list as a timeline: each day once, titles from the first line, snippets, mood and session chips,
matches highlighted (escaped: the patient's text is never markup), and every piece of user text marked dir="auto"."""

from __future__ import annotations

import re

from tests.care.conftest import sign_in
from tests.journal.conftest import HX, casey_infusion, draft


async def test_titles_default_to_the_first_line(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    body = "## A quiet morning\nThe kettle, the window, the birds."
    r = await client.post("/journal/new", data=draft(csrf, body=body))
    entry = (await client.get(r.headers["location"])).text
    assert '<h1 dir="auto">A quiet morning</h1>' in entry
    listed = (await client.get("/journal")).text
    assert ">A quiet morning</a>" in listed and "The kettle, the window, the birds." in listed


async def test_each_day_is_one_heading_however_entries_interleave(client, demo, clock):
    csrf = await sign_in(client, "patient@demo.clinic")
    session = await casey_infusion(5)
    for n in range(5):  # about session 5 and between sessions, alternating, all today
        fields = {"kind": "post_session", "infusion_id": str(session.id)} if n % 2 else {}
        await client.post("/journal/new", data=draft(csrf, body=f"Note {n}", **fields))
        clock.advance(minutes=10)
    page = (await client.get("/journal")).text
    assert page.count('<h3 class="day-head">Today</h3>') == 1
    assert "Between sessions" not in page and page.count('<span class="chip chip-session">Session 5</span>') == 2


async def test_a_search_highlights_matches_and_escapes_the_patients_text(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    await client.post("/journal/new", data=draft(csrf, body="<b>bold</b> door & a <script>x</script> DOOR"))
    page = (await client.get("/journal?q=door")).text
    assert "&lt;b&gt;bold&lt;/b&gt; <mark>door</mark> &amp; a &lt;script&gt;x&lt;/script&gt; <mark>DOOR</mark>" in page
    assert "<script>x" not in page
    assert 'action="/journal#entries-title"' in page  # the results are what the page opens on
    assert "When you&#39;re ready" not in page  # nothing between the search box and its results


async def test_older_entries_continue_the_day_without_a_second_heading(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    for n in range(22):
        await client.post("/journal/new", data=draft(csrf, body=f"Evening note {n}"))
    page = (await client.get("/journal")).text
    cursor = re.search(r'href="/journal\?before=(\d+)"', page).group(1)
    older = (await client.get(f"/journal?before={cursor}", headers=HX)).text
    assert "Evening note 1" in older and "Evening note 0" in older
    assert older.split('<div class="timeline">')[0].strip() == ""  # today's entries go on under today's heading


async def test_user_text_is_marked_dir_auto(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    hebrew = "היום הרגשתי שקט"
    r = await client.post("/journal/new", data=draft(csrf, title=hebrew, body="שלום עולם"))
    entry = (await client.get(r.headers["location"])).text
    assert f'<h1 dir="auto">{hebrew}</h1>' in entry and '<div class="prose" dir="auto"><p>שלום עולם</p>' in entry
    editor = (await client.get(r.headers["location"] + "/edit")).text
    assert re.search(r'<input id="f-title"[^>]*dir="auto"', editor)
    assert re.search(r'<textarea id="f-body"[^>]*dir="auto"', editor)
    listed = (await client.get("/journal")).text
    assert f'dir="auto">{hebrew}</a>' in listed
