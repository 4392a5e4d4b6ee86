"""Replies to shared entries: a care-team therapist signs a short reply; the patient sees it under the entry and on
the journal home, and gets an email with no words of it; it sits beside the entry in the next note's pre-fill.
Strangers get 404, a supervisor 403 on sending, private entries are never answerable."""

from __future__ import annotations

import secrets

import pytest

from care.models import Infusion
from journal.models import JournalEntry
from notes.reply_models import EntryReply
from server.models import AuditEvent, OutboxMessage
from tests.care.conftest import casey, sign_in
from tests.conftest import another, login

WORDS = "Thank you for sharing this. Let's talk about the river walk on Tuesday."


async def _shared() -> JournalEntry:
    patient = await casey()
    return await JournalEntry.filter(patient_id=patient.id, shared=True).order_by("-created_at").first()


async def _reply(client, csrf: str, entry_id: int, body: str = WORDS):
    data = {"csrf_token": csrf, "body": body, "form_key": secrets.token_urlsafe(24)}
    return await client.post(f"/shared-entries/{entry_id}/replies", data=data)


async def test_the_patient_sees_the_signed_reply_under_the_entry_and_at_home_and_gets_a_wordless_email(
    app, client, demo
):
    entry = await _shared()
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await _reply(client, csrf, entry.id)
    assert r.status_code == 303, r.text
    reply = await EntryReply.get(entry_id=entry.id)
    assert reply.signed_as.endswith(", therapist") and reply.body == WORDS
    event = await AuditEvent.filter(action="reply.sent").get()
    assert event.detail == {"entry": entry.id} and event.patient_id == entry.patient_id
    [message] = await OutboxMessage.filter(kind="entry_reply")
    rendered = await app.state.registry.messages["entry_reply"].render(app.state.settings, message.payload)
    assert "river" not in (rendered.subject + rendered.text).lower()
    async with another(client) as me:
        await login(me, "patient@demo.clinic")
        page = await me.get(f"/journal/{entry.id}")
        assert "Your care team replied" in page.text and "river walk" in page.text and reply.signed_as in page.text
        assert "not a chat" in page.text
        home = await me.get("/journal")
        assert "Replies from your care team" in home.text and "river walk" in home.text
    reads = await AuditEvent.filter(action="reply.read").order_by("seq")
    assert [e.detail for e in reads] == [{"replies": [reply.id]}, {"replies": [reply.id]}]


async def test_the_reply_sits_beside_its_entry_in_the_next_notes_prefill(client, demo):
    entry = await _shared()
    csrf = await sign_in(client, "therapist@demo.clinic")
    await _reply(client, csrf, entry.id)
    later = (
        await Infusion.filter(patient_id=entry.patient_id, scheduled_at__gt=entry.created_at)
        .order_by("scheduled_at")
        .first()
    )
    page = await client.get(f"/infusions/{later.id}/notes/new")
    assert page.status_code == 200 and "Replied: “Thank you for sharing this." in page.text


async def test_an_empty_reply_is_refused_beside_the_field(client, demo):
    entry = await _shared()
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await _reply(client, csrf, entry.id, "   ")
    assert r.status_code == 400 and 'id="e-body"' in r.text and not await EntryReply.exists()


async def test_a_private_entry_cannot_be_answered(client, demo):
    patient = await casey()
    private = await JournalEntry.filter(patient_id=patient.id, shared=False).first()
    csrf = await sign_in(client, "therapist@demo.clinic")
    assert (await client.get(f"/shared-entries/{private.id}/replies")).status_code == 404
    assert (await _reply(client, csrf, private.id)).status_code == 404


async def test_a_supervisor_reads_but_may_not_reply(client, demo):
    entry = await _shared()
    csrf = await sign_in(client, "supervisor@demo.clinic")
    assert (await client.get(f"/shared-entries/{entry.id}/replies")).status_code == 200
    assert (await _reply(client, csrf, entry.id)).status_code == 403


@pytest.mark.parametrize("who", ["therapist2@demo.clinic", "therapist@other.clinic", "patient@demo.clinic"])
async def test_strangers_get_404(client, demo, who):
    entry = await _shared()
    csrf = await sign_in(client, who)
    assert (await client.get(f"/shared-entries/{entry.id}/replies")).status_code == 404
    assert (await _reply(client, csrf, entry.id)).status_code == 404
    assert not await EntryReply.exists()
