"""The 10-second check-in: a 5-point mood with labelled ends, optional feeling and activity chips, hours slept; in
the timeline and both exports. Every 0–10 scale in the editor names its ends."""

from __future__ import annotations

import json
import re

from journal.models import JournalEntry, JournalRevision
from tests.care.conftest import sign_in
from tests.journal.conftest import HX, draft


def _check_in(csrf: str, **fields) -> dict:
    return draft(csrf, kind="check_in", **fields)


async def test_the_check_in_offers_faces_with_words_chips_and_sleep_hours(client, demo):
    await sign_in(client, "patient@demo.clinic")
    page = (await client.get("/journal/new?kind=check_in")).text
    assert 'Your mood <span class="muted">(from 1 awful to 5 great)</span>' in page
    words = re.findall(r'<span class="word">(\d) · (\w+)</span>', page)
    assert words == [("1", "Awful"), ("2", "Low"), ("3", "Okay"), ("4", "Good"), ("5", "Great")]
    assert page.count('type="radio" id="f-mood5-') == 5 and 'name="tags" value="walk"' in page
    assert 'name="sleep_hours" type="number" min="0" max="24" step="0.5"' in page


async def test_a_check_in_keeps_its_mood_chips_and_sleep(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = _check_in(csrf, mood5="4", tags=["walk", "calm", "made-up"], sleep_hours="7.5")
    r = await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    assert r.status_code == 303 and (entry.mood5, entry.tags, entry.sleep_hours) == (4, ["walk", "calm"], 7.5)
    revision = await JournalRevision.get(entry_id=entry.id)
    assert (revision.mood5, revision.tags, revision.sleep_hours) == (4, ["walk", "calm"], 7.5)
    page = (await client.get(f"/journal/{entry.id}")).text
    assert "Mood: Good (4 of 5)" in page and "Slept 7.5 h" in page and "A walk" in page and "Calm" in page
    editor = (await client.get(f"/journal/{entry.id}/edit")).text
    assert 'value="4" checked' in editor and 'value="walk" checked' in editor and 'value="7.5"' in editor


async def test_a_check_in_appears_in_the_timeline_and_both_exports(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = _check_in(csrf, mood5="2", tags=["tired"], sleep_hours="5")
    await client.post("/journal/new", data=data, headers=HX)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    home = (await client.get("/journal")).text
    rows = re.findall(r'<article class="entry-row">.*?</article>', home, re.S)
    [row] = [r for r in rows if f'href="/journal/{entry.id}"' in r]
    assert "Check-in" in row and "Low" in row
    markdown = (await client.get("/me/export.md")).text
    assert "Mood: Low (2 of 5) · Slept 5 h · Tired" in markdown
    exported = {e["id"]: e for e in json.loads((await client.get("/me/export.json")).text)["entries"]}
    assert exported[entry.id]["mood5"] == 2 and exported[entry.id]["tags"] == ["tired"]
    assert exported[entry.id]["sleep_hours"] == 5 and exported[entry.id]["revisions"][0]["mood5"] == 2


async def test_bad_check_in_values_are_refused_with_the_words_kept(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = _check_in(csrf, mood5="9", sleep_hours="30", answer_today="A slow morning")
    r = await client.post("/journal/new", data=data)
    assert r.status_code == 400 and "Your mood must be between 1 and 5" in r.text
    assert "Hours slept must be between 0 and 24 hours" in r.text and "A slow morning</textarea>" in r.text
    assert not await JournalEntry.filter(draft_key=data["draft_key"]).exists()


async def test_every_scale_in_the_editor_names_its_ends(client, demo):
    await sign_in(client, "patient@demo.clinic")
    for kind in ("free", "check_in", "post_session"):
        page = (await client.get(f"/journal/new?kind={kind}")).text
        for ends in ("0 very low · 10 very good", "0 calm · 10 very anxious", "0 exhausted · 10 full of energy"):
            assert ends in page, (kind, ends)
        assert '<option value="10">10 · very good</option>' in page and 'aria-describedby="h-sleep"' in page
