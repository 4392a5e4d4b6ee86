"""The printable infusion record and patient summary (care/printing.py): what each holds, who printed it and when,
one audited read each (in place of the page's own), and 404/403 for strangers, as docs/permissions.md says."""

from __future__ import annotations

import secrets

import pytest

from care.models import CareTeam, Infusion
from journal.models import JournalEntry
from notes.models import IntegrationNote, ProcessNote
from server.models import AuditEvent, User
from tests.care.conftest import casey, last_infusion, sign_in, spravato_course
from tests.care.test_infusions import GOOD
from tests.conftest import DEMO_PASSWORD, token


async def test_a_signed_infusion_record_prints_with_vitals_checklist_and_signature_block(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(patient)
    sign = {"csrf_token": csrf, "version": str(infusion.version), "password": DEMO_PASSWORD}
    assert (await client.post(f"/infusions/{infusion.id}/sign", data=sign)).status_code == 303
    page = await client.get(f"/infusions/{infusion.id}")
    assert f'href="/infusions/{infusion.id}/print"' in page.text
    before = await AuditEvent.all().order_by("-seq").first()
    r = await client.get(f"/infusions/{infusion.id}/print")
    assert r.status_code == 200
    text = r.text
    assert "Infusion record · infusion 5" in text and "MRN DC-1001" in text
    assert "0.5 mg/kg × 68.0 kg = 34.0 mg" in text and "KET-2405" in text and "Avery Santos, RN" in text
    assert "<td>-5</td><td>128/82</td><td>76</td><td>98%</td>" in text  # the vitals table
    assert "Fasting</dt><dd>Confirmed" in text and "Reviewed" in text
    assert "<dt>CADSS</dt><dd>10</dd>" in text and "<dt>MOAA/S</dt><dd>4</dd>" in text
    assert "Electronically signed by Avery Santos, RN on" in text and "Printed by Avery Santos on" in text
    assert "Spravato REMS" not in text  # racemic ketamine: no REMS items
    events = await AuditEvent.filter(seq__gt=before.seq)
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("infusion.printed", "infusion", str(infusion.id))
    ]


async def test_a_spravato_record_prints_its_rems_items(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "nurse@demo.clinic")
    await spravato_course(client, csrf, patient)
    data = GOOD | {
        "agent": "esketamine",
        "route": "intranasal",
        "spravato_mg": "56",
        "dose_mg_per_kg": "",
        "discharge_ready_at": "2026-11-21T11:15",
        "rems_sedation": "on",
        "rems_concomitant_sedating": "Lorazepam 1 mg at night",
        "form_key": secrets.token_urlsafe(24),
        "csrf_token": csrf,
    }
    assert (await client.post(f"/patients/{patient.id}/infusions/new", data=data)).status_code == 303
    infusion = await Infusion.get(patient_id=patient.id, number=7)
    text = (await client.get(f"/infusions/{infusion.id}/print")).text
    assert "Spravato REMS monitoring" in text and "125 minutes after the dose (at least 120)" in text
    assert "<dt>BP at about 40 minutes</dt><dd>Missing</dd>" in text
    assert "<dt>Sedation observed</dt><dd>Yes</dd>" in text and "<dt>Dissociation observed</dt><dd>No</dd>" in text
    assert "Lorazepam 1 mg at night" in text and "Not submitted; due" in text
    assert "Not signed: this record may still change." in text


async def test_the_patient_summary_holds_the_chart_essentials_and_no_notes_or_journal(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    med = {"csrf_token": csrf, "form_key": secrets.token_urlsafe(24), "name": "Lamotrigine", "dose": "100 mg"}
    assert (await client.post(f"/patients/{patient.id}/medications", data=med)).status_code == 303
    chart = await client.get(f"/patients/{patient.id}")
    assert f'href="/patients/{patient.id}/summary/print"' in chart.text
    before = await AuditEvent.all().order_by("-seq").first()
    r = await client.get(f"/patients/{patient.id}/summary/print")
    assert r.status_code == 200
    text = r.text
    assert "Patient summary · Casey Morgan" in text and "DC-1001" in text and "she/her" in text
    assert "Lamotrigine</strong> 100 mg" in text and "Ketamine interactions to review" in text
    assert "IV ketamine induction" in text and "34.0 mg" in text  # the course and its sessions
    assert "PHQ-9</strong>: 8 (" in text and "first 19 (" in text and "GAD-7</strong>: 6 (" in text
    assert "Printed by Sam Okafor on" in text
    entries = await JournalEntry.filter(patient_id=patient.id).exclude(body="")
    notes = await IntegrationNote.filter(patient_id=patient.id).exclude(shared_summary="")
    process = await ProcessNote.filter(patient_id=patient.id)
    assert entries and notes and process
    sections = [v[:40] for n in notes for v in n.content.values() if isinstance(v, str) and len(v) > 20]
    for words in [e.body[:40] for e in entries] + [n.shared_summary[:40] for n in notes] + sections:
        assert words not in text, words  # no journal entry (shared or private), no note
    assert all(p.body[:40] not in text for p in process)
    events = await AuditEvent.filter(seq__gt=before.seq)
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("patient.summary_printed", "patient", str(patient.id))
    ]


async def test_medical_staff_print_the_summary_and_supervisors_both(client, demo):
    patient = await casey()
    infusion = await last_infusion(patient)
    for who in ("physician@demo.clinic", "supervisor@demo.clinic"):
        await sign_in(client, who)
        assert (await client.get(f"/patients/{patient.id}/summary/print")).status_code == 200
        assert (await client.get(f"/infusions/{infusion.id}/print")).status_code == 200
        await client.post("/logout", data={"csrf_token": await token(client)})


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("therapist2@demo.clinic", 404),  # another care team
        ("therapist@other.clinic", 404),  # another clinic
        ("patient@demo.clinic", 404),  # the patient's own record: not a staff document
        ("admin@demo.clinic", 404),  # no clinical content
    ],
)
async def test_strangers_get_404_and_nothing_is_read(client, demo, who, status):
    patient = await casey()
    infusion = await last_infusion(patient)
    await sign_in(client, who)
    assert (await client.get(f"/infusions/{infusion.id}/print")).status_code == status
    assert (await client.get(f"/patients/{patient.id}/summary/print")).status_code == status
    assert not await AuditEvent.filter(action__in=["infusion.printed", "patient.summary_printed"]).exists()


async def test_an_unknown_id_is_404(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    assert (await client.get("/infusions/2147483000/print")).status_code == 404
    assert (await client.get("/patients/2147483000/summary/print")).status_code == 404


async def test_medical_staff_off_the_care_team_get_404(client, demo):
    patient = await casey()
    infusion = await last_infusion(patient)
    nurse = await User.get(email="nurse@demo.clinic")
    await CareTeam.filter(patient_id=patient.id, therapist_id=nurse.id).delete()
    await sign_in(client, "nurse@demo.clinic")
    assert (await client.get(f"/infusions/{infusion.id}/print")).status_code == 404
    assert (await client.get(f"/patients/{patient.id}/summary/print")).status_code == 404
    assert (await client.get(f"/patients/{patient.id}/essentials")).status_code == 404
