"""Switching a draft's format (DAP, SOAP, BIRP) keeps every word: sections the new format does not use stay in the
note, shown under "From the previous format", until the author folds them in or clears them."""

from __future__ import annotations

import re

import pytest

from notes.content import digest
from notes.models import IntegrationNote
from tests.care.conftest import sign_in
from tests.notes.conftest import HX, PASSWORD, casey_infusion, editor_fields, note_form

DAP = {
    "s_data": "Described the lake image again; tearful about her father.",
    "s_assessment": "Engaged and hopeful; grief held more gently.",
    "s_plan": "Continue weekly integration; morning walk.",
}
SOAP = {"s_subjective": "Slept well for three nights.", "s_objective": "Calm, oriented, good eye contact."}
MODES = pytest.mark.parametrize("headers", [{}, HX], ids=["form-post", "autosave"])


async def _dap_draft(client, csrf) -> IntegrationNote:
    data = note_form(csrf, **DAP)
    r = await client.post(f"/infusions/{(await casey_infusion()).id}/notes/new", data=data)
    assert r.status_code == 303, r.text[-2000:]
    return await IntegrationNote.get(draft_key=data["draft_key"])


async def _type(client, note: IntegrationNote, headers: dict, **changes: str):
    """Open the editor, change fields it shows (as a person would), and send the form as the browser does: a plain
    post to the form's action, or htmx's autosave to the draft URL."""
    fields = editor_fields((await client.get(f"/notes/{note.id}")).text)
    for name, value in changes.items():
        assert name in fields, f"the editor does not show {name}"
        fields[name] = [value]
    target = f"/notes/{note.id}/draft" if headers else f"/notes/{note.id}"
    r = await client.post(target, data=fields, headers=headers)
    assert r.status_code == (200 if headers else 303), r.text[-2000:]
    return r


def _kept_box(html: str) -> str:
    match = re.search(r'<fieldset class="[^"]*\bkept-sections\b.*?</fieldset>', html, re.S)
    return match.group(0) if match else ""


@MODES
async def test_it_keeps_every_word_from_dap_to_soap_and_back(client, demo, headers):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _dap_draft(client, csrf)
    await _type(client, note, headers, format="SOAP")
    await _type(client, note, headers, **SOAP)
    await _type(client, note, headers, format="DAP")
    content = (await IntegrationNote.get(id=note.id)).content
    for name, words in {**DAP, **SOAP}.items():
        assert content[name.removeprefix("s_")] == words, name
    editor = (await client.get(f"/notes/{note.id}")).text
    assert editor_fields(editor)["s_data"] == [DAP["s_data"]]
    assert SOAP["s_subjective"] in _kept_box(editor) and SOAP["s_objective"] in _kept_box(editor)


async def test_it_shows_the_sections_the_new_format_does_not_use_after_a_switch(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _dap_draft(client, csrf)
    await _type(client, note, {}, format="SOAP")
    editor = (await client.get(f"/notes/{note.id}")).text
    box = _kept_box(editor)
    assert "From the previous format" in box and "Data (DAP)" in box
    assert 'name="s_data"' in box and "Described the lake image again; tearful about her father." in box
    assert 'name="s_subjective"' in editor and 'name="s_subjective"' not in box


async def test_it_keeps_a_section_that_a_save_does_not_carry(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _dap_draft(client, csrf)
    soap_only = {k: v for k, v in note_form(csrf, version=1, key=note.draft_key, **SOAP).items() if k != "s_data"}
    r = await client.post(f"/notes/{note.id}/draft", data={**soap_only, "format": "SOAP"}, headers=HX)
    assert r.status_code == 200
    content = (await IntegrationNote.get(id=note.id)).content
    assert content["data"] == DAP["s_data"] and content["subjective"] == SOAP["s_subjective"]


async def test_it_will_not_sign_until_kept_sections_are_folded_in_or_cleared(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _dap_draft(client, csrf)
    await _type(client, note, {}, format="SOAP")
    await _type(client, note, {}, **SOAP)
    sign = {"csrf_token": csrf, "version": "3", "password": PASSWORD}
    refused = await client.post(f"/notes/{note.id}/sign", data=sign)
    assert refused.status_code == 400 and "Data (DAP)" in refused.text and "move its words" in refused.text
    assert 'aria-describedby="e-s_data"' in _kept_box(refused.text)
    assert (await IntegrationNote.get(id=note.id)).content["data"] == DAP["s_data"]
    await _type(client, note, {}, s_data="", s_objective=SOAP["s_objective"] + " " + DAP["s_data"])
    signed = await client.post(f"/notes/{note.id}/sign", data={**sign, "version": "4"})
    assert signed.status_code == 303, signed.text[-2000:]
    final = await IntegrationNote.get(id=note.id)
    assert "data" not in final.content and DAP["s_data"] in final.content["objective"]
    assert final.status == "signed" and final.content_sha256 == digest(final)


async def test_a_note_signed_with_another_formats_sections_shows_them(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _dap_draft(client, csrf)
    await client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD})
    # As signed before kept sections had to be folded in: a SOAP note whose hash also covers a Data section.
    note = await IntegrationNote.get(id=note.id)
    note.format, note.content = "SOAP", {**note.content, **{k.removeprefix("s_"): v for k, v in SOAP.items()}}
    await IntegrationNote.filter(id=note.id).update(format="SOAP", content=note.content, content_sha256=digest(note))
    page = (await client.get(f"/notes/{note.id}")).text
    assert "From the previous format" in page and "Data (DAP)" in page and DAP["s_data"] in page
    assert "part of what was signed" in page and "no longer matches" not in page
