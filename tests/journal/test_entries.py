from __future__ import annotations

import re

from journal.models import JournalEntry, JournalRevision
from server.models import AuditEvent
from tests.care.conftest import sign_in
from tests.conftest import another
from tests.journal.conftest import HX, casey_infusion, draft


async def test_autosave_creates_the_entry_once_then_saves_new_versions(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    infusion = await casey_infusion()
    page = await client.get(f"/journal/new?infusion={infusion.id}")
    assert (
        page.status_code == 200 and "After session 5" in page.text and "What stood out from the session?" in page.text
    )
    key = re.search(r'name="draft_key" value="([^"]+)"', page.text).group(1)
    data = draft(csrf, key=key, kind="post_session", infusion_id=str(infusion.id), answer_stood_out="The music")
    first = await client.post("/journal/new", data=data, headers=HX)
    assert first.status_code == 200 and "Saved 10:00" in first.text  # 15:00 UTC, shown in New York time
    entry = await JournalEntry.get(draft_key=key)
    assert first.headers["HX-Replace-Url"] == f"/journal/{entry.id}/edit"
    assert 'id="f-version" name="version" value="1" hx-swap-oob="true"' in first.text
    retried = await client.post("/journal/new", data={**data, "version": "1", "body": "more"}, headers=HX)
    assert retried.status_code == 200 and await JournalEntry.filter(draft_key=key).count() == 1
    third = await client.post(
        f"/journal/{entry.id}/draft", data={**data, "version": "2", "body": "more, and more"}, headers=HX
    )
    assert third.status_code == 200
    entry = await JournalEntry.get(id=entry.id)
    assert entry.version == 3 and entry.body == "more, and more" and entry.answers == {"stood_out": "The music"}
    assert [r.version for r in await JournalRevision.filter(entry_id=entry.id).order_by("version")] == [1, 2, 3]
    edit = await client.get(f"/journal/{entry.id}/edit")
    assert "more, and more</textarea>" in edit.text and 'name="version" value="3"' in edit.text
    assert await AuditEvent.filter(action="journal.entry_saved", object_id=str(entry.id)).count() == 2


async def test_without_javascript_the_form_saves(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body="typed without javascript", mood="6")
    r = await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    assert r.status_code == 303 and r.headers["location"] == f"/journal/{entry.id}" and entry.mood == 6
    again = await client.post(f"/journal/{entry.id}/edit", data={**data, "version": "1", "body": "second"})
    assert again.status_code == 303 and (await JournalEntry.get(id=entry.id)).body == "second"


async def test_bad_input_is_refused_and_the_text_kept(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body="x" * 50_001, mood="11")
    r = await client.post("/journal/new", data=data)
    assert r.status_code == 400 and "over 50,000 characters" in r.text and "Mood must be between 0 and 10" in r.text
    assert "x" * 1000 in r.text
    assert not await JournalEntry.filter(draft_key=data["draft_key"]).exists()
    auto = await client.post("/journal/new", data=data, headers=HX)
    assert auto.status_code == 400 and "Not saved" in auto.text


async def test_another_patients_session_cannot_be_attached(client, demo):
    csrf = await sign_in(client, "patient2@demo.clinic")
    infusion = await casey_infusion()
    r = await client.post("/journal/new", data=draft(csrf, kind="post_session", infusion_id=str(infusion.id)))
    assert r.status_code == 400 and "your own sessions" in r.text


async def test_the_list_groups_by_session_searches_and_pages(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    for n in range(22):
        await client.post("/journal/new", data=draft(csrf, title=f"Evening note {n}", body="walked by the river"))
    page = await client.get("/journal")
    assert page.text.count('class="entry-row"') == 20 and "Older entries" in page.text
    cursor = re.search(r'href="/journal\?before=(\d+)"', page.text).group(1)
    older = await client.get(f"/journal?before={cursor}", headers=HX)
    assert older.text.count('class="entry-row"') == 5 and "<html" not in older.text  # 2 new + 3 demo entries
    assert "Session 4" in older.text and "Session 1" in older.text
    found = await client.get("/journal?q=DOOR")
    assert found.text.count('class="entry-row"') == 1 and "Session 4" in found.text
    assert await AuditEvent.filter(action="journal.entries_listed").count() == 3


async def test_history_shows_every_version(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body="v1")
    await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    await client.post(f"/journal/{entry.id}/edit", data={**data, "version": "1", "body": "v2"})
    page = await client.get(f"/journal/{entry.id}/history")
    assert "Version 2" in page.text and "Version 1" in page.text and "<p>v1</p>" in page.text


async def test_other_patients_and_staff_get_404_on_entry_urls(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    entry = await JournalEntry.filter(patient__mrn="DC-1001", shared=True).first()
    for email in ("patient2@demo.clinic", "therapist@demo.clinic", "therapist2@demo.clinic", "therapist@other.clinic"):
        async with another(client) as other:
            other_csrf = await sign_in(other, email)
            for path in (f"/journal/{entry.id}", f"/journal/{entry.id}/edit", f"/journal/{entry.id}/history"):
                assert (await other.get(path)).status_code == 404, (email, path)
            r = await other.post(
                f"/journal/{entry.id}/draft", data=draft(other_csrf, version=1, body="hijack"), headers=HX
            )
            assert r.status_code == 404
            r = await other.post(f"/journal/{entry.id}/share", data={"csrf_token": other_csrf, "shared": "off"})
            assert r.status_code == 404
    assert (await JournalEntry.get(id=entry.id)).shared is True and "hijack" not in (
        await JournalEntry.get(id=entry.id)
    ).body
    assert csrf
