"""The chart's essentials: medications with ketamine interaction flags on the chart, the pre-dose checklist and the
infusion record; allergies or an explicit "no known allergies"; ICD-10-CM diagnoses checked against the shipped
subset; emergency contact, escort and referring prescriber. Versioned, audited, idempotent, permission-checked."""

from __future__ import annotations

import secrets

import pytest

from care import icd10, interactions
from care.chart_models import Allergy, ChartProfile, Diagnosis, Medication
from care.models import Infusion
from server.models import AuditEvent
from tests.care.conftest import casey, sign_in
from tests.conftest import another, login, token

LORAZEPAM = {
    "name": "Lorazepam",
    "dose": "1 mg",
    "frequency": "at night",
    "prescriber": "Dr Okafor",
    "started_on": "2026-10-01",
}


async def _add(client, csrf: str, patient_id: int, many: str, **fields):
    data = {"csrf_token": csrf, "form_key": secrets.token_urlsafe(24)} | fields
    return await client.post(f"/patients/{patient_id}/{many}", data=data)


async def test_it_flags_lorazepam_on_the_chart_the_checklist_and_the_infusion_record(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await _add(client, csrf, patient.id, "medications", **LORAZEPAM)
    assert r.status_code == 303, r.text
    med = await Medication.get(patient_id=patient.id, name="Lorazepam")
    assert (med.dose, med.frequency, med.version) == ("1 mg", "at night", 1)
    chart = await client.get(f"/patients/{patient.id}")
    assert "Ketamine interactions to review" in chart.text and "Benzodiazepine" in chart.text
    assert "Frye MA" in chart.text  # the flag cites its source
    async with another(client) as nurse:  # the nurse who doses sees the flag on the checklist and the record
        await sign_in(nurse, "nurse@demo.clinic")
        form = await nurse.get(f"/patients/{patient.id}/infusions/new")
        checklist = form.text.split('id="checklist"')[1].split("</fieldset>")[0]
        assert "Lorazepam" in checklist and "blunt ketamine" in checklist
        infusion = await Infusion.filter(patient_id=patient.id).order_by("-number").first()
        page = await nurse.get(f"/infusions/{infusion.id}")
        assert "Medications to weigh before this dose" in page.text and "Lorazepam" in page.text
    event = await AuditEvent.filter(action="essentials.added").get()
    assert (event.object_type, event.patient_id, event.detail) == ("medication", patient.id, {"kind": "medication"})


async def test_a_stopped_medication_no_longer_flags(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    await _add(client, csrf, patient.id, "medications", **LORAZEPAM)
    med = await Medication.get(patient_id=patient.id, name="Lorazepam")
    data = LORAZEPAM | {"csrf_token": csrf, "version": "1", "stopped_on": "2026-11-01"}
    r = await client.post(f"/medications/{med.id}", data=data)
    assert r.status_code == 303, r.text
    assert "Ketamine interactions to review" not in (await client.get(f"/patients/{patient.id}")).text
    event = await AuditEvent.filter(action="essentials.changed").get()
    assert event.detail == {"kind": "medication", "changed": ["stopped_on"]}


async def test_a_stop_date_before_the_start_is_refused_beside_the_field_with_the_text_kept(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await _add(client, csrf, patient.id, "medications", **LORAZEPAM | {"stopped_on": "2026-09-01"})
    assert r.status_code == 400
    assert 'id="e-stopped_on"' in r.text and "be before the start date" in r.text
    assert 'value="Lorazepam"' in r.text and not await Medication.filter(name="Lorazepam").exists()


async def test_an_unknown_icd10_code_is_refused_and_a_known_one_is_stored_as_written_in_the_list(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await _add(client, csrf, patient.id, "diagnoses", code="F99.99")
    assert r.status_code == 400 and 'id="e-code"' in r.text and "F99.99" in r.text
    r = await _add(client, csrf, patient.id, "diagnoses", code="f332", noted_on="2025-03-01")
    assert r.status_code == 303, r.text
    dx = await Diagnosis.get(patient_id=patient.id, code="F33.2")  # beside the demo's F41.1
    assert dx.code == "F33.2" and dx.title == icd10.CODES["F33.2"]
    assert "F33.2 Major depressive disorder, recurrent severe" in (await client.get(f"/patients/{patient.id}")).text


async def test_no_known_allergies_is_said_and_ends_when_an_allergy_is_added(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    assert "not recorded yet" in (await client.get(f"/patients/{patient.id}")).text
    # the demo's profile (version 1) holds Casey's escort and referrer, and no word on allergies yet
    r = await client.post(f"/patients/{patient.id}/no-known-allergies", data={"csrf_token": csrf, "version": "1"})
    assert r.status_code == 303, r.text
    assert "No known allergies" in (await client.get(f"/patients/{patient.id}")).text
    r = await _add(client, csrf, patient.id, "allergies", substance="Penicillin", reaction="hives", severity="moderate")
    assert r.status_code == 303, r.text
    profile = await ChartProfile.get(patient_id=patient.id)
    assert not profile.no_known_allergies and profile.version == 3
    r = await client.post(f"/patients/{patient.id}/no-known-allergies", data={"csrf_token": csrf, "version": "3"})
    assert r.status_code == 400 and "An allergy is on record" in r.text


async def test_an_allergy_needs_its_substance(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await _add(client, csrf, patient.id, "allergies", substance="", reaction="rash", severity="mild")
    assert r.status_code == 400 and 'id="e-substance"' in r.text and 'value="rash"' in r.text
    assert not await Allergy.filter(patient_id=patient.id).exists()


async def test_the_emergency_contact_is_saved_and_a_stale_save_gets_409_with_both_versions(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    contact = {
        "csrf_token": csrf,
        "version": "1",  # the demo's profile: Casey's escort and referrer
        "emergency_name": "Sam Morgan",
        "emergency_relationship": "sister",
        "emergency_phone": "555-0101",
        "escort_name": "Sam Morgan",
        "referrer_name": "Dr Lee",
    }
    assert (await client.post(f"/patients/{patient.id}/contacts", data=contact)).status_code == 303
    assert "Sam Morgan (sister)" in (await client.get(f"/patients/{patient.id}")).text
    second_tab = contact | {"emergency_phone": "555-0199"}
    r = await client.post(f"/patients/{patient.id}/contacts", data=second_tab)
    assert r.status_code == 409 and "changed this meanwhile" in r.text
    assert 'value="555-0199"' in r.text and "555-0101" in r.text  # what was typed, and what is saved
    assert (await ChartProfile.get(patient_id=patient.id)).emergency_phone == "555-0101"
    assert await AuditEvent.filter(action="essentials.save_conflict").count() == 1


async def test_an_emergency_contact_needs_a_phone(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await client.post(
        f"/patients/{patient.id}/contacts", data={"csrf_token": csrf, "version": "0", "emergency_name": "Sam"}
    )
    assert r.status_code == 400 and 'id="e-emergency_phone"' in r.text


async def test_a_stale_medication_edit_is_refused_with_409(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    await _add(client, csrf, patient.id, "medications", **LORAZEPAM)
    med = await Medication.get(patient_id=patient.id, name="Lorazepam")
    first = LORAZEPAM | {"csrf_token": csrf, "version": "1", "dose": "0.5 mg"}
    assert (await client.post(f"/medications/{med.id}", data=first)).status_code == 303
    r = await client.post(f"/medications/{med.id}", data=first | {"dose": "2 mg"})
    assert r.status_code == 409 and 'value="2 mg"' in r.text and "0.5 mg" in r.text
    assert (await Medication.get(id=med.id)).dose == "0.5 mg"


async def test_the_page_is_one_read_and_a_supervisor_reads_but_may_not_write(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "supervisor@demo.clinic")
    r = await client.get(f"/patients/{patient.id}/essentials")
    assert r.status_code == 200 and "Add a medication" not in r.text
    assert await AuditEvent.filter(action="essentials.viewed", patient_id=patient.id).count() == 1
    assert (await _add(client, csrf, patient.id, "medications", **LORAZEPAM)).status_code == 403


@pytest.mark.parametrize("who", ["therapist2@demo.clinic", "therapist@other.clinic", "patient@demo.clinic"])
async def test_strangers_get_404_on_every_route(client, demo, who):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    await _add(client, csrf, patient.id, "medications", **LORAZEPAM)
    await _add(client, csrf, patient.id, "allergies", substance="Latex", severity="mild")
    await _add(client, csrf, patient.id, "diagnoses", code="F33.2")
    ids = {
        "medications": (await Medication.get(name="Lorazepam")).id,
        "allergies": (await Allergy.get(substance="Latex")).id,
        "diagnoses": (await Diagnosis.get(patient_id=patient.id, code="F33.2")).id,
    }
    async with another(client) as them:
        await login(them, who)
        theirs = await token(them)
        assert (await them.get(f"/patients/{patient.id}/essentials")).status_code == 404
        for path in ("contacts", "no-known-allergies", *ids):
            r = await them.post(f"/patients/{patient.id}/{path}", data={"csrf_token": theirs, "version": "0"})
            assert r.status_code == 404, path
        for many, row in ids.items():
            assert (await them.post(f"/{many}/{row}", data={"csrf_token": theirs, "version": "1"})).status_code == 404


def test_the_interaction_table_finds_each_class_by_generic_and_brand_name():
    found = {
        n: [c.key for c in interactions.classes_of(n)]
        for n in (
            "Lorazepam 1 mg",
            "Lamictal XR",
            "phenelzine",
            "Adderall XR",
            "memantine",
            "Oxycodone",
            "lisinopril",
            "sertraline",
        )
    }
    assert found == {
        "Lorazepam 1 mg": ["benzodiazepine"],
        "Lamictal XR": ["lamotrigine"],
        "phenelzine": ["maoi"],
        "Adderall XR": ["stimulant"],
        "memantine": ["nmda_antagonist"],
        "Oxycodone": ["opioid"],
        "lisinopril": ["antihypertensive"],
        "sertraline": [],
    }
    assert all(c.source for c in interactions.CLASSES)


async def test_each_rows_edit_form_opens_with_its_values_and_saves(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    await _add(client, csrf, patient.id, "allergies", substance="Latex", reaction="rash", severity="mild")
    await _add(client, csrf, patient.id, "diagnoses", code="F33.1")
    await _add(client, csrf, patient.id, "medications", **LORAZEPAM)
    for kind, row, shown in (
        ("allergy", await Allergy.get(substance="Latex"), 'value="Latex"'),
        ("diagnosis", await Diagnosis.get(patient_id=patient.id, code="F33.1"), 'value="F33.1"'),
        ("medication", await Medication.get(name="Lorazepam"), 'value="2026-10-01"'),
    ):
        page = await client.get(f"/patients/{patient.id}/essentials?edit={kind}-{row.id}")
        assert page.status_code == 200 and shown in page.text and 'name="version" value="1"' in page.text
    dx = await Diagnosis.get(patient_id=patient.id, code="F33.1")
    r = await client.post(
        f"/diagnoses/{dx.id}",
        data={"csrf_token": csrf, "version": "1", "code": "F33.2", "status": "resolved"},
    )
    assert r.status_code == 303 and (await Diagnosis.get(id=dx.id)).status == "resolved"
    latex = await Allergy.get(substance="Latex")
    r = await client.post(
        f"/allergies/{latex.id}",
        data={"csrf_token": csrf, "version": "1", "substance": "Latex", "severity": "mild", "inactive": "on"},
    )
    assert r.status_code == 303 and not (await Allergy.get(id=latex.id)).active


async def test_the_nurse_reconciles_medications_and_allergies_and_leaves_diagnoses_to_a_prescriber(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "nurse@demo.clinic")  # an RN on Casey's care team
    page = await client.get(f"/patients/{patient.id}/essentials")
    assert page.status_code == 200 and "Add a medication" in page.text and "Add a diagnosis" not in page.text
    assert (await _add(client, csrf, patient.id, "medications", **LORAZEPAM)).status_code == 303
    assert (await _add(client, csrf, patient.id, "allergies", substance="Latex", severity="mild")).status_code == 303
    contacts = {"csrf_token": csrf, "version": "1", "escort_name": "Sam Morgan", "escort_phone": "555-0101"}
    assert (await client.post(f"/patients/{patient.id}/contacts", data=contacts)).status_code == 303
    assert (await _add(client, csrf, patient.id, "diagnoses", code="F33.2")).status_code == 403
    assert not await Diagnosis.filter(patient_id=patient.id, code="F33.2").exists()
    nurse = await AuditEvent.filter(action="essentials.added", patient_id=patient.id).order_by("seq")
    assert [e.object_type for e in nurse] == ["medication", "allergy"]
    async with another(client) as physician:  # an MD on the same team diagnoses
        theirs = await sign_in(physician, "physician@demo.clinic")
        assert "Add a diagnosis" in (await physician.get(f"/patients/{patient.id}/essentials")).text
        assert (await _add(physician, theirs, patient.id, "diagnoses", code="F33.2")).status_code == 303
    dx = await Diagnosis.get(patient_id=patient.id, code="F33.2")
    r = await client.post(f"/diagnoses/{dx.id}", data={"csrf_token": csrf, "version": "1", "code": "F33.1"})
    assert r.status_code == 403 and (await Diagnosis.get(id=dx.id)).code == "F33.2"
    assert "Safety plan" not in (await client.get(f"/patients/{patient.id}")).text  # the plan stays with therapists
