"""Co-signing a trainee's note takes the supervisor's password (step-up, as for signing)."""

from __future__ import annotations

from notes.models import IntegrationNote
from server.models import AuditEvent, User
from tests.care.conftest import sign_in
from tests.notes.conftest import PASSWORD


async def _pending(client) -> IntegrationNote:
    """The demo's trainee note awaiting co-signature (Riley Chen, infusion 4, by therapist2)."""
    return await IntegrationNote.get(status="cosign_pending")


async def _cosign(sup, csrf: str, note: IntegrationNote, **fields: str):
    return await sup.post(f"/notes/{note.id}/cosign", data={"csrf_token": csrf, "version": str(note.version), **fields})


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
