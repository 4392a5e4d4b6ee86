"""Two windows on one entry keep both texts automatically: the later save becomes the entry, the text it would have
replaced a "conflict copy" beside it, linked both ways. Never a 409, never "copy your text somewhere safe"."""

from __future__ import annotations

import asyncio
import re
import secrets

from journal.models import JournalEntry
from server.models import AuditEvent
from tests.care.conftest import sign_in
from tests.journal.conftest import HX, draft

SAFE_COPY = "somewhere safe"


def _sitting() -> str:
    return secrets.token_urlsafe(24)


async def _entry(client, body: str = "first", csrf: str = "") -> tuple[str, dict[str, str], JournalEntry]:
    csrf = csrf or await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body=body, sitting=_sitting())
    await client.post("/journal/new", data=data, headers=HX)
    return csrf, data, await JournalEntry.get(draft_key=data["draft_key"])


async def test_a_stale_save_becomes_the_entry_and_the_other_text_a_linked_conflict_copy(client, demo):
    _csrf, data, entry = await _entry(client)
    url = f"/journal/{entry.id}/draft"
    tab_a = {**data, "version": "1", "sitting": _sitting(), "body": "words from tab A"}
    tab_b = {**data, "version": "1", "sitting": _sitting(), "body": "words from tab B"}
    assert (await client.post(url, data=tab_a, headers=HX)).status_code == 200
    later = await client.post(url, data=tab_b, headers=HX)
    assert later.status_code == 200 and SAFE_COPY not in later.text
    assert "Both texts are kept" in later.text and "conflict copy" in later.text
    copy = await JournalEntry.get(conflict_of_id=entry.id)
    assert (await JournalEntry.get(id=entry.id)).body == "words from tab B" and copy.body == "words from tab A"
    assert not copy.shared
    page = (await client.get(f"/journal/{entry.id}")).text
    assert f'href="/journal/{copy.id}"' in page and "both texts were kept" in page
    copy_page = (await client.get(f"/journal/{copy.id}")).text
    assert f'href="/journal/{entry.id}"' in copy_page and "This is a conflict copy" in copy_page
    event = await AuditEvent.get(action="journal.save_conflict", object_id=str(copy.id))
    assert event.detail["copy_of"] == entry.id and event.outcome != "denied"


async def test_the_window_whose_text_moved_keeps_writing_into_its_copy(client, demo):
    _csrf, data, entry = await _entry(client)
    url = f"/journal/{entry.id}/draft"
    a, b = _sitting(), _sitting()
    await client.post(url, data={**data, "version": "1", "sitting": a, "body": "A one"}, headers=HX)
    await client.post(url, data={**data, "version": "1", "sitting": b, "body": "B one"}, headers=HX)
    copy = await JournalEntry.get(conflict_of_id=entry.id)
    moved = await client.post(url, data={**data, "version": "2", "sitting": a, "body": "A two"}, headers=HX)
    assert moved.status_code == 200 and moved.headers["HX-Replace-Url"] == f"/journal/{copy.id}/edit"
    assert "words in this window are kept in a conflict copy" in moved.text and SAFE_COPY not in moved.text
    version = re.search(r'name="version" value="(\d+)"', moved.text).group(1)
    await client.post(url, data={**data, "version": version, "sitting": a, "body": "A three"}, headers=HX)
    await client.post(url, data={**data, "version": "3", "sitting": b, "body": "B two"}, headers=HX)
    assert (await JournalEntry.get(id=copy.id)).body == "A three"
    assert (await JournalEntry.get(id=entry.id)).body == "B two"
    assert await JournalEntry.filter(conflict_of_id=entry.id).count() == 1


async def test_without_javascript_a_stale_save_keeps_both_texts(client, demo):
    _csrf, data, entry = await _entry(client, "typed first")
    await client.post(f"/journal/{entry.id}/edit", data={**data, "version": "1", "sitting": _sitting(), "body": "one"})
    stale = {**data, "version": "1", "sitting": _sitting(), "body": "my precious words"}
    r = await client.post(f"/journal/{entry.id}/edit", data=stale)
    assert r.status_code == 303 and r.headers["location"] == f"/journal/{entry.id}"
    copy = await JournalEntry.get(conflict_of_id=entry.id)
    assert (await JournalEntry.get(id=entry.id)).body == "my precious words" and copy.body == "one"
    assert f'href="/journal/{copy.id}"' in (await client.get(r.headers["location"])).text


async def test_a_repeat_of_the_save_that_split_makes_no_second_copy(client, demo):
    _csrf, data, entry = await _entry(client)
    url = f"/journal/{entry.id}/draft"
    await client.post(url, data={**data, "version": "1", "sitting": _sitting(), "body": "A"}, headers=HX)
    stale = {**data, "version": "1", "sitting": _sitting(), "body": "B"}
    for _ in range(3):  # a retry after a dropped answer, a double click
        assert (await client.post(url, data=stale, headers=HX)).status_code == 200
    assert await JournalEntry.filter(conflict_of_id=entry.id).count() == 1


async def test_two_windows_saving_at_the_same_moment_lose_no_word(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    for round_ in range(6):
        _csrf, data, entry = await _entry(client, f"start {round_}", csrf)
        url = f"/journal/{entry.id}/draft"
        words = {f"tab {t} round {round_}": _sitting() for t in "AB"}
        answers = await asyncio.gather(
            *(
                client.post(url, data={**data, "version": "1", "sitting": s, "body": w}, headers=HX)
                for w, s in words.items()
            )
        )
        assert [r.status_code for r in answers] == [200, 200]
        assert all(SAFE_COPY not in r.text for r in answers)
        kept = [e.body for e in await JournalEntry.filter(id=entry.id)]
        kept += [e.body for e in await JournalEntry.filter(conflict_of_id=entry.id)]
        assert sorted(kept) == sorted(words), kept
