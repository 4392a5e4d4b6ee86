"""Printable documents: a signed note with its addenda and signature block, and the safety plan, each stating who
printed it and when, each print one audited read; drafts are not printed; strangers get 404."""

from __future__ import annotations

import pytest

from care.chart_models import SafetyPlan
from notes.models import IntegrationNote, Status
from server.models import AuditEvent
from tests.care.conftest import casey, sign_in
from tests.care.test_safety_plan import _save, riley


async def _signed() -> IntegrationNote:
    patient = await casey()
    return await IntegrationNote.filter(patient_id=patient.id, status=Status.SIGNED).first()


async def test_a_signed_note_prints_with_its_signature_block_and_who_printed_it(client, demo):
    note = await _signed()
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await client.post(f"/notes/{note.id}/addenda", data={"csrf_token": csrf, "body": "Called: slept well."})
    assert r.status_code == 303
    page = await client.get(f"/notes/{note.id}/print")
    assert page.status_code == 200 and "Electronically signed by" in page.text and "Called: slept well." in page.text
    assert "Printed by Sam Okafor on" in page.text and "DC-1001" in page.text
    events = await AuditEvent.filter(
        object_type="note", object_id=str(note.id), action__in=["note.printed", "note.read"]
    )
    assert [e.action for e in events] == ["note.printed"]


async def test_a_draft_is_not_printed(client, demo):
    patient = await casey()
    draft = await IntegrationNote.get(patient_id=patient.id, status=Status.DRAFT)
    await sign_in(client, "therapist@demo.clinic")
    assert (await client.get(f"/notes/{draft.id}/print")).status_code == 404


async def test_the_safety_plan_prints_once_written(client, demo):
    patient = await riley()  # the demo patient without a plan
    csrf = await sign_in(client, "therapist2@demo.clinic")
    assert (await client.get(f"/patients/{patient.id}/safety-plan/print")).status_code == 404
    await _save(client, csrf, patient.id)
    page = await client.get(f"/patients/{patient.id}/safety-plan/print")
    assert page.status_code == 200 and "Walk by the river" in page.text and "Printed by Jordan Lee on" in page.text
    plan = await SafetyPlan.get(patient_id=patient.id)
    assert await AuditEvent.filter(action="safety_plan.printed", object_id=str(plan.id)).count() == 1


@pytest.mark.parametrize("who", ["therapist2@demo.clinic", "therapist@other.clinic", "patient@demo.clinic"])
async def test_strangers_get_404(client, demo, who):
    note = await _signed()
    await sign_in(client, who)
    assert (await client.get(f"/notes/{note.id}/print")).status_code == 404
    assert (await client.get(f"/patients/{note.patient_id}/safety-plan/print")).status_code == 404
