"""No entry is refused for its size within the limit: 50,000 characters (code points, after decoding, a typed line
break counting one) in any script, sent as htmx and browsers send them: percent-encoded or multipart, with line
breaks as CR LF."""

from __future__ import annotations

import secrets

import pytest

from journal.forms import MAX_BODY
from journal.models import JournalEntry
from server.web import LONGEST_TEXT
from tests.care.conftest import sign_in
from tests.journal.conftest import HX, draft

SCRIPTS = {
    "cjk": "今天的治疗让我感到平静，像湖面一样。",  # 3 bytes each in UTF-8, 9 percent-encoded
    "cyrillic": "Сегодня я чувствую себя спокойнее. ",  # 2 bytes, 6 percent-encoded
    "emoji": "🌊🌱💛🕊️🌅",  # 4 bytes (and a 3-byte variation selector), 12 percent-encoded
    "latin": "Café au lait, ruhig und wach; the music held me. ",
}


def words(unit: str, length: int = MAX_BODY) -> str:
    """`length` code points of `unit`, in paragraphs: a line break after every 400 characters."""
    line = (unit * (400 // len(unit) + 1))[:399] + "\n"
    return (line * (length // len(line) + 1))[:length]


def as_sent(text: str) -> str:
    """How a browser sends a textarea: every line break as CR LF."""
    return text.replace("\n", "\r\n")


def multipart(fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    boundary = "afterglow" + secrets.token_hex(8)
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()
    )
    return f"{parts}--{boundary}--\r\n".encode(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


async def _autosave(client, path: str, data: dict[str, str], encoding: str):
    headers = {**HX, "X-CSRF-Token": data["csrf_token"]}  # as htmx sends it (hx-headers), beside the hidden field
    if encoding == "multipart":
        body, content_type = multipart(data)
        return await client.post(path, content=body, headers={**headers, **content_type})
    return await client.post(path, data=data, headers=headers)


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
@pytest.mark.parametrize("script", SCRIPTS)
async def test_it_autosaves_fifty_thousand_characters_in_any_script(client, demo, script, encoding):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body="A first line.")
    first = await _autosave(client, "/journal/new", data, encoding)
    assert first.status_code == 200 and "Saved" in first.text
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    text = words(SCRIPTS[script])
    saved = await _autosave(
        client, f"/journal/{entry.id}/draft", {**data, "version": "1", "body": as_sent(text)}, encoding
    )
    assert saved.status_code == 200 and "Saved" in saved.text, saved.text[:300]
    entry = await JournalEntry.get(id=entry.id)
    assert entry.version == 2 and entry.body == text and len(entry.body) == MAX_BODY


@pytest.mark.parametrize("script", SCRIPTS)
async def test_it_saves_fifty_thousand_characters_with_the_save_button(client, demo, script):
    csrf = await sign_in(client, "patient@demo.clinic")
    text = words(SCRIPTS[script])
    data = draft(csrf, body=as_sent(text))
    created = await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    assert created.status_code == 303 and entry.body == text
    again = text[::-1]  # a whole new text of the same length, saved over it from the editor
    saved = await client.post(f"/journal/{entry.id}/edit", data={**data, "version": "1", "body": as_sent(again)})
    assert saved.status_code == 303 and (await JournalEntry.get(id=entry.id)).body == again


async def test_an_emoji_counts_its_code_points(client, demo):
    """The rule in docs/journal.md: a one-code-point emoji counts one; a joined one counts each code point."""
    csrf = await sign_in(client, "patient@demo.clinic")
    family = "👩‍👧"  # woman, zero-width joiner, girl: three code points
    fits = draft(csrf, body="🌊" * (MAX_BODY - 3) + family)
    assert (await client.post("/journal/new", data=fits)).status_code == 303
    over = draft(csrf, body="🌊" * (MAX_BODY - 2) + family)
    refused = await client.post("/journal/new", data=over)
    assert refused.status_code == 400 and "over 50,000 characters (50,001)" in refused.text


@pytest.mark.parametrize("script", SCRIPTS)
async def test_one_character_over_is_refused_with_a_message_and_nothing_is_lost(client, demo, script):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body="Kept safe.")
    await client.post("/journal/new", data=data, headers=HX)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    over = as_sent(words(SCRIPTS[script], MAX_BODY + 1))
    auto = await _autosave(client, f"/journal/{entry.id}/draft", {**data, "version": "1", "body": over}, "urlencoded")
    assert auto.status_code == 400 and "<html" not in auto.text  # a line in the save bar, never a page
    assert 'class="save-problem" role="alert">Not saved: This entry is over 50,000 characters (50,001)' in auto.text
    button = await client.post(f"/journal/{entry.id}/edit", data={**data, "version": "1", "body": over})
    assert button.status_code == 400 and 'id="e-body">This entry is over 50,000 characters' in button.text
    typed = words(SCRIPTS[script], MAX_BODY + 1).replace("\n", "&#10;").replace("'", "&#39;")
    assert f"{typed}</textarea>" in button.text.replace("\n", "&#10;")  # every character, still in the editor
    entry = await JournalEntry.get(id=entry.id)
    assert entry.version == 1 and entry.body == "Kept safe."


async def test_far_more_than_any_page_can_send_is_a_line_in_the_save_bar(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body="🌊" * (2 * LONGEST_TEXT + 1))
    auto = await _autosave(client, "/journal/new", data, "urlencoded")
    assert auto.status_code == 400 and "<html" not in auto.text and "more than one page can send" in auto.text
    assert not await JournalEntry.filter(draft_key=data["draft_key"]).exists()
