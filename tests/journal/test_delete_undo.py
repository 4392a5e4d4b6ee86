"""Delete with undo: an entry moves to Recently deleted (kept 30 days, then removed for good by
`python -m server purge-journal`), Undo puts it back, staff never see it, and repeats are harmless."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from journal.models import JournalEntry, JournalRevision
from server.models import AuditEvent
from tests.care.conftest import sign_in
from tests.conftest import another
from tests.journal.conftest import HX, casey_infusion, draft
from tests.server.test_cli import _run


async def _entry(client, csrf: str, body: str = "A walk by the river", **fields: str) -> JournalEntry:
    data = draft(csrf, body=body, **fields)
    assert (await client.post("/journal/new", data=data)).status_code == 303
    return await JournalEntry.get(draft_key=data["draft_key"])


async def test_delete_moves_an_entry_to_recently_deleted_and_undo_puts_it_back(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    entry = await _entry(client, csrf, title="River walk")
    r = await client.post(f"/journal/{entry.id}/delete", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == f"/journal?deleted={entry.id}"
    home = (await client.get(r.headers["location"])).text
    assert "Entry moved to" in home and "Undo" in home and f"/journal/{entry.id}/undelete" in home
    assert f'href="/journal/{entry.id}"' not in home  # out of the timeline
    assert (await client.get(f"/journal/{entry.id}")).status_code == 404
    assert "River walk" not in (await client.get("/journal?q=river")).text
    trash = (await client.get("/journal/deleted")).text
    assert "River walk" in trash and "removed for good on 22 Dec 2026" in trash
    back = await client.post(f"/journal/{entry.id}/undelete", data={"csrf_token": csrf})
    assert back.status_code == 303 and back.headers["location"] == f"/journal/{entry.id}"
    assert (await client.get(f"/journal/{entry.id}")).status_code == 200
    assert "River walk" not in (await client.get("/journal/deleted")).text
    for action in ("journal.entry_deleted", "journal.entry_undeleted"):
        assert await AuditEvent.filter(action=action, object_id=str(entry.id)).count() == 1


async def test_a_double_click_on_delete_or_undo_is_harmless(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    entry = await _entry(client, csrf)
    for path in ("delete", "undelete"):
        twice = await asyncio.gather(
            *(client.post(f"/journal/{entry.id}/{path}", data={"csrf_token": csrf}) for _ in "ab")
        )
        assert [r.status_code for r in twice] == [303, 303]
        again = await client.post(f"/journal/{entry.id}/{path}", data={"csrf_token": csrf}, headers=HX)
        assert again.status_code == 204 and again.headers["HX-Redirect"]
    assert (await JournalEntry.get(id=entry.id)).deleted_at is None
    for action in ("journal.entry_deleted", "journal.entry_undeleted"):
        assert await AuditEvent.filter(action=action, object_id=str(entry.id)).count() == 1


async def test_staff_never_see_deleted_entries(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    door = "I keep seeing the same door"
    session4, session5 = await casey_infusion(4), await casey_infusion(5)
    entry = await JournalEntry.get(patient_id=session4.patient_id, infusion_id=session4.id)
    pages = (f"/patients/{session4.patient_id}", f"/infusions/{session4.id}", f"/infusions/{session5.id}/notes/new")
    async with another(client) as staff:
        await sign_in(staff, "therapist@demo.clinic")
        for path in pages:
            assert door in (await staff.get(path)).text, path
        await client.post(f"/journal/{entry.id}/delete", data={"csrf_token": csrf})
        for path in (*pages, "/caseload"):
            page = await staff.get(path)
            assert page.status_code == 200 and door not in page.text, path


async def test_exports_leave_out_deleted_entries(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    entry = await _entry(client, csrf, body="Words I chose to delete")
    await client.post(f"/journal/{entry.id}/delete", data={"csrf_token": csrf})
    assert "Words I chose to delete" not in (await client.get("/me/export.md")).text
    exported = json.loads((await client.get("/me/export.json")).text)
    assert entry.id not in [e["id"] for e in exported["entries"]]


async def test_a_save_from_a_window_still_open_on_a_deleted_entry_brings_it_back(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body="first")
    await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    await client.post(f"/journal/{entry.id}/delete", data={"csrf_token": csrf})
    r = await client.post(f"/journal/{entry.id}/draft", data={**data, "version": "1", "body": "more"}, headers=HX)
    assert r.status_code == 200 and "Saved" in r.text
    kept = await JournalEntry.get(id=entry.id)
    assert kept.deleted_at is None and kept.body == "more"


async def test_strangers_get_404_on_delete_and_undo(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    entry = await _entry(client, csrf)
    for email in ("patient2@demo.clinic", "therapist@demo.clinic"):
        async with another(client) as other:
            other_csrf = await sign_in(other, email)
            for path in ("delete", "undelete"):
                r = await other.post(f"/journal/{entry.id}/{path}", data={"csrf_token": other_csrf})
                assert r.status_code == 404, (email, path)
    assert (await JournalEntry.get(id=entry.id)).deleted_at is None


async def test_entries_30_days_in_recently_deleted_are_purged_by_the_command(client, demo, settings):
    csrf = await sign_in(client, "patient@demo.clinic")
    old, recent = await _entry(client, csrf, body="old"), await _entry(client, csrf, body="recent")
    for entry in (old, recent):
        await client.post(f"/journal/{entry.id}/delete", data={"csrf_token": csrf})
    now = datetime.now(UTC)  # the command runs on the real clock
    await JournalEntry.filter(id=old.id).update(deleted_at=now - timedelta(days=30, minutes=1))
    await JournalEntry.filter(id=recent.id).update(deleted_at=now - timedelta(days=29, hours=23))
    done = await _run(settings, "purge-journal")
    assert done.returncode == 0 and "1 journal entry removed for good" in done.stdout, done.stderr
    assert not await JournalEntry.filter(id=old.id).exists()
    assert not await JournalRevision.filter(entry_id=old.id).exists()
    assert await JournalEntry.filter(id=recent.id).exists()
    assert await AuditEvent.filter(action="journal.entry_purged", object_id=str(old.id)).count() == 1
