"""The safety plan: written by the care team (six Stanley-Brown steps, each needed), versioned (a stale save gets
409 with both versions), shown to the patient at /me/safety-plan where they add coping steps of their own; audited;
404 to strangers."""

from __future__ import annotations

import secrets

import pytest

from care.chart_models import SafetyPlan, SafetyPlanStep
from care.models import Patient
from server.models import AuditEvent
from tests.care.conftest import casey, sign_in
from tests.conftest import another, login, token

PLAN = {
    "warning_signs": "Not sleeping\nCancelling plans",
    "coping": "Walk by the river",
    "distractions": "Library café",
    "helpers": "Sam (sister) 555-0101",
    "professionals": "Demo Clinic 555-0100",
    "environment": "Give the spare pills to Sam",
}


async def _save(client, csrf: str, patient_id: int, version: str = "0", **fields):
    data = {"csrf_token": csrf, "version": version} | PLAN | fields
    return await client.post(f"/patients/{patient_id}/safety-plan", data=data)


async def riley() -> Patient:
    """The demo patient without a safety plan (Casey has the one written with her at intake: care/demo_chart.py)."""
    return await Patient.get(mrn="DC-1002")


async def test_the_therapist_writes_it_and_the_patient_reads_it_and_adds_a_coping_step(client, demo):
    patient = await riley()
    csrf = await sign_in(client, "therapist2@demo.clinic")
    assert (await _save(client, csrf, patient.id)).status_code == 303
    saved = await AuditEvent.filter(action="safety_plan.saved").get()
    assert saved.detail == {"changed": [n for n in PLAN]} and saved.patient_id == patient.id
    async with another(client) as me:
        await login(me, "patient2@demo.clinic")
        page = await me.get("/me/safety-plan")
        assert page.status_code == 200 and "Walk by the river" in page.text and "Give the spare pills" in page.text
        r = await me.post(
            "/me/safety-plan/steps",
            data={"csrf_token": await token(me), "step": "Play the piano", "form_key": secrets.token_urlsafe(24)},
        )
        assert r.status_code == 303
        assert "Play the piano" in (await me.get("/me/safety-plan")).text
    assert "Play the piano" in (await client.get(f"/patients/{patient.id}/safety-plan")).text
    assert await AuditEvent.filter(action="safety_plan.step_added", patient_id=patient.id).count() == 1


async def test_an_empty_step_is_refused_beside_its_field_with_the_rest_kept(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await _save(client, csrf, patient.id, "1", helpers="  \n ")
    assert r.status_code == 400 and 'id="e-helpers"' in r.text and "Walk by the river" in r.text
    plan = await SafetyPlan.get(patient_id=patient.id)
    assert plan.version == 1 and plan.coping.startswith("Walk the loop by the river")  # the demo's, unchanged
    assert not await AuditEvent.filter(action="safety_plan.saved").exists()


async def test_the_patient_cannot_add_an_empty_step(client, demo):
    async with another(client) as me:  # Casey, whose plan was written with her at intake
        await login(me, "patient@demo.clinic")
        r = await me.post("/me/safety-plan/steps", data={"csrf_token": await token(me), "step": " "})
        assert r.status_code == 400 and 'id="e-step"' in r.text
    assert not await SafetyPlanStep.exists()


async def test_a_stale_save_gets_409_with_the_plan_as_saved_and_the_typed_version(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    assert (await _save(client, csrf, patient.id, "1", coping="Breathing 4-7-8")).status_code == 303
    r = await _save(client, csrf, patient.id, "1", coping="Cold water on my face")
    assert r.status_code == 409 and "Breathing 4-7-8" in r.text and "Cold water on my face" in r.text
    assert (await SafetyPlan.get(patient_id=patient.id)).coping == "Breathing 4-7-8"
    assert await AuditEvent.filter(action="safety_plan.save_conflict").count() == 1


async def test_the_patient_without_a_plan_is_told_so_and_the_page_is_one_read(client, demo):
    patient = await riley()
    await sign_in(client, "patient2@demo.clinic")
    r = await client.get("/me/safety-plan")
    assert r.status_code == 200 and "haven't written a safety plan yet" in r.text and 'href="tel:988"' in r.text
    assert await AuditEvent.filter(action="safety_plan.viewed", patient_id=patient.id).count() == 1


async def test_a_supervisor_reads_it_but_may_not_write(client, demo):
    patient = await casey()
    async with another(client) as sup:
        await login(sup, "supervisor@demo.clinic")
        assert "Walk the loop by the river" in (await sup.get(f"/patients/{patient.id}/safety-plan")).text
        assert (await _save(sup, await token(sup), patient.id, "1")).status_code == 403


@pytest.mark.parametrize("who", ["therapist2@demo.clinic", "therapist@other.clinic", "patient@demo.clinic"])
async def test_strangers_get_404(client, demo, who):
    patient = await casey()
    await sign_in(client, who)
    assert (await client.get(f"/patients/{patient.id}/safety-plan")).status_code == 404
    assert (await _save(client, await token(client), patient.id)).status_code == 404


async def test_staff_get_403_on_the_patients_own_page(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    assert (await client.get("/me/safety-plan")).status_code == 403


async def test_the_patients_printed_plan_states_its_version_and_when_it_was_printed(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    assert (await _save(client, csrf, patient.id, "1")).status_code == 303
    async with another(client) as me:
        await login(me, "patient@demo.clinic")
        page = (await me.get("/me/safety-plan")).text
    printed = page.split('class="print-only printed-by"', 1)[1].split("</p>", 1)[0]
    assert "Version 2, last updated" in printed and "Printed by Casey Morgan on" in printed
