"""Co-signing a trainee's note: the supervisor re-enters their password, and sees what changed since the version
they last returned or co-signed (or the whole note, as new, the first time)."""

from __future__ import annotations

import re

from notes.models import IntegrationNote
from server.models import AuditEvent, Role, User
from tests.care.conftest import sign_in
from tests.conftest import another
from tests.notes.conftest import PASSWORD, casey_infusion, note_form

FIRST_PLAN = "Continue weekly integration with the lake imagery."
SECOND_PLAN = "Continue weekly integration; add a safety plan review."
REMOVED = '<del><span class="visually-hidden">removed: </span>{}</del>'
ADDED = '<ins><span class="visually-hidden">added: </span><mark>{}</mark></ins>'


async def _pending(client) -> IntegrationNote:
    """The demo's trainee note awaiting co-signature (Riley Chen, infusion 4, by therapist2)."""
    return await IntegrationNote.get(status="cosign_pending")


async def _cosign(sup, csrf: str, note: IntegrationNote, **fields: str):
    return await sup.post(f"/notes/{note.id}/cosign", data={"csrf_token": csrf, "version": str(note.version), **fields})


def _changes(html: str) -> str:
    match = re.search(r'<section class="[^"]*\bchanges\b.*?</section>', html, re.S)
    return match.group(0) if match else ""


async def test_it_refuses_a_cosign_without_the_password(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    note = await _pending(client)
    r = await _cosign(client, csrf, note)
    assert r.status_code == 400 and 'id="e-password"' in r.text and "password is wrong" in r.text
    assert (await IntegrationNote.get(id=note.id)).status == "cosign_pending"


async def test_it_refuses_a_wrong_password_and_audits_the_failed_step_up(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    note = await _pending(client)
    r = await _cosign(client, csrf, note, password="not-my-password")
    assert r.status_code == 400 and "password is wrong" in r.text
    assert (await IntegrationNote.get(id=note.id)).status == "cosign_pending"
    failed = await AuditEvent.get(action="note.cosign_step_up_failed", object_id=str(note.id))
    supervisor = await User.get(email="supervisor@demo.clinic")
    assert failed.outcome == "denied" and failed.actor_id == supervisor.id
    assert not await AuditEvent.filter(action="note.cosigned", object_id=str(note.id)).exists()


async def test_it_cosigns_with_the_password(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    note = await _pending(client)
    r = await _cosign(client, csrf, note, password=PASSWORD)
    assert r.status_code == 303
    final = await IntegrationNote.get(id=note.id)
    assert final.status == "cosigned" and final.cosigned_by_id is not None


async def test_it_refuses_a_cosign_of_a_version_the_supervisor_did_not_see(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    note = await _pending(client)
    r = await client.post(
        f"/notes/{note.id}/cosign", data={"csrf_token": csrf, "version": str(note.version - 1), "password": PASSWORD}
    )
    assert r.status_code == 409 and (await IntegrationNote.get(id=note.id)).status == "cosign_pending"


async def test_it_shows_the_whole_note_as_new_the_first_time(client, demo):
    await sign_in(client, "supervisor@demo.clinic")
    note = await _pending(client)
    changes = _changes((await client.get(f"/notes/{note.id}")).text)
    assert "have not returned or co-signed an earlier version" in changes
    assert ADDED.format("Next infusion as planned.") in changes and "<del>" not in changes


async def _trainee_note_returned_and_revised(client, sup, sup_csrf: str, plan: str = SECOND_PLAN) -> IntegrationNote:
    """therapist@demo.clinic as a trainee: signs, the supervisor returns it, the trainee revises the plan, signs."""
    await User.filter(email="therapist@demo.clinic").update(is_trainee=True)
    csrf = await sign_in(client, "therapist@demo.clinic")
    data = note_form(csrf, s_plan=FIRST_PLAN)
    await client.post(f"/infusions/{(await casey_infusion()).id}/notes/new", data=data)
    note = await IntegrationNote.get(draft_key=data["draft_key"])
    await client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD})
    r = await sup.post(f"/notes/{note.id}/return", data={"csrf_token": sup_csrf, "comment": "Say more on safety."})
    assert r.status_code == 303
    r = await client.post(f"/notes/{note.id}", data={**data, "version": "1", "s_plan": plan})
    assert r.status_code == 303
    r = await client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "2", "password": PASSWORD})
    assert r.status_code == 303
    return await IntegrationNote.get(id=note.id)


async def test_it_shows_the_words_changed_since_the_supervisor_returned_it(client, demo):
    async with another(client) as sup:
        sup_csrf = await sign_in(sup, "supervisor@demo.clinic")
        note = await _trainee_note_returned_and_revised(client, sup, sup_csrf)
        changes = _changes((await sup.get(f"/notes/{note.id}")).text)
        assert "Since version 1, which you returned" in changes and "<h3>Plan</h3>" in changes
        assert REMOVED.format("integration with the lake imagery.") in changes
        assert ADDED.format("integration; add a safety plan review.") in changes
        assert "Unchanged: Session summary" in changes and "<h3>Session summary</h3>" not in changes
        assert (await _cosign(sup, sup_csrf, note, password=PASSWORD)).status_code == 303


async def test_another_supervisor_sees_the_whole_note_as_new(client, demo):
    first = await User.get(email="supervisor@demo.clinic")
    await User.create(
        clinic_id=first.clinic_id,
        email="supervisor2@demo.clinic",
        name="Sam Okafor",
        role=Role.SUPERVISOR,
        password_hash=first.password_hash,
    )
    async with another(client) as sup:
        note = await _trainee_note_returned_and_revised(client, sup, await sign_in(sup, "supervisor@demo.clinic"))
    async with another(client) as second:
        await sign_in(second, "supervisor2@demo.clinic")
        changes = _changes((await second.get(f"/notes/{note.id}")).text)
        assert "have not returned or co-signed an earlier version" in changes
        assert ADDED.format(SECOND_PLAN) in changes


async def test_the_changes_show_what_the_trainee_wrote_as_text(client, demo):
    async with another(client) as sup:
        sup_csrf = await sign_in(sup, "supervisor@demo.clinic")
        plan = 'Review <img src=x onerror="alert(1)"> & the safety plan.'
        note = await _trainee_note_returned_and_revised(client, sup, sup_csrf, plan=plan)
        changes = _changes((await sup.get(f"/notes/{note.id}")).text)
        assert "<img" not in changes and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp;" in changes
