"""Prompts carry their words: a practice or a scheduled prompt opens an editor headed by its own text, kept on the
entry; practices are ticked "done today" (a tally, no streak); following a prompt twice continues one entry."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from journal.models import JournalEntry, PracticeDone, Prompt
from tests.care.conftest import sign_in
from tests.conftest import another
from tests.journal.conftest import casey_infusion, draft

WALK = "Morning walk, 10 minutes"
WEEK = "It has been a week since session 5. How are things now?"


def link_to(page: str, words: str) -> str:
    """The address of the home page's link whose text is `words`."""
    found = re.search(r'<a [^>]*href="([^"]+)"[^>]*>' + re.escape(html.escape(words)) + "</a>", page)
    assert found, f"no link {words!r}"
    return html.unescape(found.group(1))


async def _week_since_session_5(clock) -> None:
    infusion = await casey_infusion(5)
    await infusion.filter(id=infusion.id).update(started_at=clock.now - timedelta(days=7, hours=1))


async def test_the_morning_walk_opens_an_editor_about_the_walk(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    home = (await client.get("/journal")).text
    editor = await client.get(link_to(home, WALK))
    assert editor.status_code == 200
    assert f'<h1 class="prompt-head">{WALK}</h1>' in editor.text and "A practice from your care team" in editor.text
    assert "What stood out from the session?" not in editor.text
    ref = re.search(r'name="prompt_ref" value="([^"]+)"', editor.text).group(1)
    key = re.search(r'name="draft_key" value="([^"]+)"', editor.text).group(1)
    kind = re.search(r'name="kind" value="([^"]+)"', editor.text).group(1)
    await client.post("/journal/new", data=draft(csrf, key=key, kind=kind, prompt_ref=ref, body="Saw a heron."))
    entry = await JournalEntry.get(draft_key=key)
    assert entry.prompt_text == WALK and entry.prompts == []
    page = (await client.get(f"/journal/{entry.id}")).text
    assert f'<h1 dir="auto">{WALK}</h1>' in page and "A practice from your care team" in page


async def test_a_week_after_session_5_the_editor_asks_the_weeks_question(client, demo, clock):
    await _week_since_session_5(clock)
    csrf = await sign_in(client, "patient@demo.clinic")
    home = (await client.get("/journal")).text
    editor = await client.get(link_to(home, WEEK))
    assert f'<h1 class="prompt-head">{WEEK}</h1>' in editor.text
    assert "What stood out from the session?" not in editor.text and "Your answer" in editor.text
    key = re.search(r'name="draft_key" value="([^"]+)"', editor.text).group(1)
    infusion = await casey_infusion(5)
    data = draft(
        csrf, key=key, kind="post_session", infusion_id=str(infusion.id), prompt_ref=f"schedule:{infusion.id}:168"
    )
    await client.post("/journal/new", data={**data, "body": "Steadier."})
    entry = await JournalEntry.get(draft_key=key)
    assert entry.prompt_text == WEEK
    assert f'<h1 dir="auto">{WEEK}</h1>' in (await client.get(f"/journal/{entry.id}")).text
    assert f'<h1 class="prompt-head">{WEEK}</h1>' in (await client.get(f"/journal/{entry.id}/edit")).text


async def test_following_a_prompt_again_continues_its_entry(client, demo, clock):
    await _week_since_session_5(clock)
    csrf = await sign_in(client, "patient@demo.clinic")
    infusion = await casey_infusion(5)
    ref = f"schedule:{infusion.id}:168"
    data = draft(csrf, kind="post_session", infusion_id=str(infusion.id), prompt_ref=ref, body="Steadier.")
    await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    again = await client.get(f"/journal/new?prompt={ref}")
    assert again.status_code == 303 and again.headers["location"] == f"/journal/{entry.id}/edit"
    assert await JournalEntry.filter(prompt_ref=ref).count() == 1


async def test_writing_about_a_session_again_offers_to_continue_the_first_entry(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    infusion = await casey_infusion(5)
    first = await client.get(f"/journal/new?infusion={infusion.id}")
    assert first.status_code == 200 and "Continue your entry" not in first.text
    data = draft(csrf, kind="post_session", infusion_id=str(infusion.id), answer_stood_out="Colours")
    await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    again = await client.get(f"/journal/new?infusion={infusion.id}")
    assert f'<a href="/journal/{entry.id}/edit">Continue your entry about session 5</a>' in again.text


async def test_a_practice_is_ticked_done_today_once_a_day_as_a_gentle_tally(client, demo, clock):
    csrf = await sign_in(client, "patient@demo.clinic")
    walk = await Prompt.get(text=WALK)
    home = (await client.get("/journal")).text
    assert "Whenever it suits you." in home and "streak" not in home.casefold()
    done = f"/journal/practices/{walk.id}/done"
    for _ in range(2):  # a double click counts once
        tick = await client.post(done, data={"csrf_token": csrf, "done": "on"}, headers={"HX-Request": "true"})
        assert tick.status_code == 200 and "✓ Done today" in tick.text and "Done on 1 day so far." in tick.text
    assert await PracticeDone.filter(prompt_id=walk.id).count() == 1
    clock.advance(days=1)
    csrf = await sign_in(client, "patient@demo.clinic")
    home = (await client.get("/journal")).text
    assert "Done on 1 day so far." in home and "✓ Done today" not in home  # a new day: nothing missed, nothing lost
    r = await client.post(done, data={"csrf_token": csrf, "done": "on"})
    assert r.status_code == 303 and r.headers["location"] == "/journal#practices"
    assert "Done on 2 days so far." in (await client.get("/journal")).text
    await client.post(done, data={"csrf_token": csrf, "done": "off"})  # ticked by mistake: taken back
    assert "Done on 1 day so far." in (await client.get("/journal")).text


async def test_someone_elses_practice_is_404_and_their_prompt_opens_a_plain_editor(client, demo):
    walk = await Prompt.get(text=WALK)
    csrf = await sign_in(client, "patient2@demo.clinic")
    r = await client.post(f"/journal/practices/{walk.id}/done", data={"csrf_token": csrf, "done": "on"})
    assert r.status_code == 404 and not await PracticeDone.exists()
    editor = await client.get(f"/journal/new?prompt=practice%3A{walk.id}")
    assert editor.status_code == 200 and WALK not in editor.text and 'name="prompt_ref" value=""' in editor.text
    async with another(client) as staff:
        staff_csrf = await sign_in(staff, "therapist@demo.clinic")
        tick = await staff.post(f"/journal/practices/{walk.id}/done", data={"csrf_token": staff_csrf, "done": "on"})
        assert tick.status_code == 404 and not await PracticeDone.exists()


async def test_a_refused_save_keeps_the_prompts_words_above_the_text(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    walk = await Prompt.get(text=WALK)
    data = draft(csrf, kind="check_in", prompt_ref=f"practice:{walk.id}", body="Saw a heron.", mood="11")
    refused = await client.post("/journal/new", data=data)
    assert refused.status_code == 400 and f'<h1 class="prompt-head">{WALK}</h1>' in refused.text
    assert "Saw a heron.</textarea>" in refused.text and "How are you today?" not in refused.text
