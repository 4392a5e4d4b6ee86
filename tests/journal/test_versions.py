"""Version history that helps: one version per sitting, versions that keep scales and answers, what changed between
two versions, restoring one as a new version, no version for an unchanged save and no blank entries."""

from __future__ import annotations

import re
import secrets

from journal.models import JournalEntry, JournalRevision
from server.models import AuditEvent
from tests.care.conftest import sign_in
from tests.conftest import another
from tests.journal.conftest import HX, casey_infusion, draft


def _sitting() -> str:
    return secrets.token_urlsafe(24)


async def _autosaves(client, data: dict[str, str], entry_id: int, bodies: list[str], version: int) -> int:
    for body in bodies:
        r = await client.post(
            f"/journal/{entry_id}/draft", data={**data, "version": str(version), "body": body}, headers=HX
        )
        assert r.status_code == 200
        version = int(re.search(r'name="version" value="(\d+)"', r.text).group(1))
    return version


async def _started(client, csrf: str, **fields: str) -> tuple[dict[str, str], JournalEntry]:
    data = draft(csrf, sitting=_sitting(), **fields)
    assert (await client.post("/journal/new", data=data, headers=HX)).status_code == 200
    return data, await JournalEntry.get(draft_key=data["draft_key"])


async def test_autosaves_within_one_sitting_make_one_version(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data, entry = await _started(client, csrf, body="The")
    await _autosaves(client, data, entry.id, ["The lake", "The lake was", "The lake was still"], 1)
    revisions = await JournalRevision.filter(entry_id=entry.id)
    assert len(revisions) == 1 and revisions[0].body == "The lake was still" and revisions[0].version == 4
    page = await client.get(f"/journal/{entry.id}")
    assert "Version history (1)" in page.text


async def test_a_new_page_load_or_a_long_pause_starts_a_new_version(client, demo, clock):
    csrf = await sign_in(client, "patient@demo.clinic")
    data, entry = await _started(client, csrf, body="one")
    version = await _autosaves(client, data, entry.id, ["one more"], 1)
    later = {**data, "sitting": _sitting()}  # the editor opened again
    version = await _autosaves(client, later, entry.id, ["two", "two more"], version)
    for minutes in (10, 10, 11):  # the same tab, after a long pause (the session kept alive in another tab)
        clock.advance(minutes=minutes)
        assert (await client.get("/journal")).status_code == 200
    await _autosaves(client, later, entry.id, ["three"], version)
    bodies = await JournalRevision.filter(entry_id=entry.id).order_by("version").values_list("body", flat=True)
    assert bodies == ["one more", "two more", "three"]


async def test_versions_keep_the_scales_and_answers(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    infusion = await casey_infusion()
    fields = {"kind": "post_session", "infusion_id": str(infusion.id), "answer_stood_out": "The music"}
    data, entry = await _started(client, csrf, mood="4", anxiety="7", energy="3", sleep="5", **fields)
    again = {**data, "sitting": _sitting(), "mood": "6", "answer_emotions": "Relief"}
    await client.post(f"/journal/{entry.id}/draft", data={**again, "version": "1"}, headers=HX)
    first, second = await JournalRevision.filter(entry_id=entry.id).order_by("version")
    assert (first.mood, first.anxiety, first.energy, first.sleep) == (4, 7, 3, 5)
    assert first.answers == {"stood_out": "The music"}
    assert second.mood == 6 and second.answers == {"stood_out": "The music", "emotions": "Relief"}
    page = (await client.get(f"/journal/{entry.id}/history")).text
    assert "Mood 4/10" in page and "Mood 6/10" in page and "Anxiety 7/10" in page


async def test_an_unchanged_save_makes_no_new_version(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body="the same words", mood="5")
    await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    for _ in range(2):  # Save pressed again without a change, with JavaScript off and by autosave
        await client.post(f"/journal/{entry.id}/edit", data={**data, "version": "1", "sitting": _sitting()})
        await client.post(f"/journal/{entry.id}/draft", data={**data, "version": "1"}, headers=HX)
    assert await JournalRevision.filter(entry_id=entry.id).count() == 1
    assert (await JournalEntry.get(id=entry.id)).version == 1


async def test_a_blank_entry_is_never_created(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    blank = draft(csrf, body="   ", title="", sitting=_sitting())
    auto = await client.post("/journal/new", data=blank, headers=HX)
    assert auto.status_code == 200 and "Nothing to save yet" in auto.text and "Saved" not in auto.text
    saved = await client.post("/journal/new", data=blank)
    assert saved.status_code == 400 and "nothing to save yet" in saved.text
    assert not await JournalEntry.filter(draft_key=blank["draft_key"]).exists()
    mood_only = await client.post("/journal/new", data={**blank, "mood": "3"})  # a scale alone is worth keeping
    assert mood_only.status_code == 303 and await JournalEntry.filter(draft_key=blank["draft_key"]).exists()


async def test_a_version_shows_what_changed_since_the_one_before(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data, entry = await _started(client, csrf, body="The quiet lake at dawn", mood="4")
    changed = {**data, "sitting": _sitting(), "body": "The calm lake at dawn", "mood": "6"}
    await client.post(f"/journal/{entry.id}/draft", data={**changed, "version": "1"}, headers=HX)
    latest = await JournalRevision.filter(entry_id=entry.id).order_by("-version").first()
    page = await client.get(f"/journal/{entry.id}/history/{latest.id}")
    assert page.status_code == 200 and "What changed since version 1" in page.text
    assert "<del>quiet</del><ins>calm</ins>" in page.text
    assert "<del>4/10</del><ins>6/10</ins>" in page.text
    assert "This is what the entry holds now" in page.text and "Restore this version" not in page.text


async def test_restoring_a_version_makes_a_new_version_and_is_audited(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data, entry = await _started(client, csrf, body="first thoughts", mood="3")
    await client.post(
        f"/journal/{entry.id}/draft",
        data={**data, "sitting": _sitting(), "version": "1", "body": "second thoughts", "mood": "8"},
        headers=HX,
    )
    first = await JournalRevision.filter(entry_id=entry.id).order_by("version").first()
    page = await client.get(f"/journal/{entry.id}/history/{first.id}")
    assert "Restore this version" in page.text
    for _ in range(2):  # a double click restores once
        r = await client.post(f"/journal/{entry.id}/history/{first.id}/restore", data={"csrf_token": csrf})
        assert r.status_code == 303 and r.headers["location"] == f"/journal/{entry.id}?restored=1"
    restored = await JournalEntry.get(id=entry.id)
    assert restored.body == "first thoughts" and restored.mood == 3
    bodies = await JournalRevision.filter(entry_id=entry.id).order_by("version").values_list("body", "restored_from")
    assert bodies == [("first thoughts", None), ("second thoughts", None), ("first thoughts", 1)]
    assert await AuditEvent.filter(action="journal.version_restored", object_id=str(entry.id)).count() == 1
    shown = (await client.get(f"/journal/{entry.id}?restored=1")).text
    assert "saved as a new version" in shown and "Version history (3)" in shown


async def test_strangers_get_404_on_versions_and_restore(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data, entry = await _started(client, csrf, body="mine")
    revision = await JournalRevision.get(entry_id=entry.id)
    other_entry = await JournalEntry.filter(patient__mrn="DC-1001").exclude(id=entry.id).first()
    assert (await client.get(f"/journal/{other_entry.id}/history/{revision.id}")).status_code == 404
    for email in ("patient2@demo.clinic", "therapist@demo.clinic"):
        async with another(client) as other:
            other_csrf = await sign_in(other, email)
            assert (await other.get(f"/journal/{entry.id}/history/{revision.id}")).status_code == 404
            r = await other.post(f"/journal/{entry.id}/history/{revision.id}/restore", data={"csrf_token": other_csrf})
            assert r.status_code == 404
