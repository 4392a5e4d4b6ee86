"""Who records the dose: medical staff on the care team record the infusion, its pre-dose checklist and vitals, and
sign the record of a dose they gave; therapists read it and add vitals only where the clinic allows; supervisors read.
"""

from __future__ import annotations

from care.infusion_forms import form_values
from care.models import CareTeam, Infusion, VitalSign
from oversight.clinic_settings import _as_form
from server.models import AuditEvent, Clinic, User
from tests.care.conftest import casey, last_infusion, sign_in
from tests.care.test_infusions import GOOD
from tests.conftest import DEMO_PASSWORD

READING = {"minute_offset": "30", "systolic": "130", "diastolic": "80", "heart_rate": "70", "spo2": "98"}


async def test_a_nurse_records_an_infusion_and_signs_it(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient, nurse = await casey(), await User.get(email="nurse@demo.clinic")
    form = await client.get(f"/patients/{patient.id}/infusions/new")
    assert f'<option value="{nurse.id}" selected' in form.text  # the one recording is offered as giving the dose
    assert "Sam Okafor" not in form.text.split('name="administered_by_id"', 1)[1].split("</select>", 1)[0]
    data = {**GOOD, "administered_by_id": str(nurse.id), "form_key": "n" * 24, "csrf_token": csrf}
    assert (await client.post(f"/patients/{patient.id}/infusions/new", data=data)).status_code == 303
    infusion = await Infusion.get(patient_id=patient.id, number=7)
    vitals = {**READING, "form_key": "v" * 24, "csrf_token": csrf}
    assert (await client.post(f"/infusions/{infusion.id}/vitals", data=vitals)).status_code in (200, 303)
    page = await client.get(f"/infusions/{infusion.id}")
    assert "Sign and lock this record" in page.text
    sign = {"csrf_token": csrf, "version": str(infusion.version), "password": DEMO_PASSWORD}
    assert (await client.post(f"/infusions/{infusion.id}/sign", data=sign)).status_code == 303
    signed = await Infusion.get(id=infusion.id)
    assert signed.signed_by_id == nurse.id and signed.administered_by_id == nurse.id
    assert await AuditEvent.filter(action="infusion.signed", actor_id=nurse.id, object_id=str(infusion.id)).exists()


async def test_a_therapist_cannot_record_or_sign_an_infusion(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    infusion = await last_infusion(patient)
    assert "Record infusion" not in (await client.get(f"/patients/{patient.id}")).text
    assert (await client.get(f"/patients/{patient.id}/infusions/new")).status_code == 403
    data = {**GOOD, "form_key": "t" * 24, "csrf_token": csrf}
    assert (await client.post(f"/patients/{patient.id}/infusions/new", data=data)).status_code == 403
    assert (await client.get(f"/infusions/{infusion.id}/edit")).status_code == 403
    # Even named as the one who gave the dose (a record from before the medical role), a therapist does not sign.
    therapist = await User.get(email="therapist@demo.clinic")
    await Infusion.filter(id=infusion.id).update(administered_by_id=therapist.id)
    page = await client.get(f"/infusions/{infusion.id}")
    assert page.status_code == 200 and "Sign and lock this record" not in page.text
    sign = {"csrf_token": csrf, "version": str(infusion.version), "password": DEMO_PASSWORD}
    assert (await client.post(f"/infusions/{infusion.id}/sign", data=sign)).status_code == 403
    assert (await Infusion.get(id=infusion.id)).signed_at is None
    assert await Infusion.filter(patient_id=patient.id).count() == 6


async def test_therapists_add_vitals_only_where_the_clinic_allows_it(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    infusion = await last_infusion(await casey())
    before = await VitalSign.filter(infusion_id=infusion.id).count()
    vitals = {**READING, "form_key": "w" * 24, "csrf_token": csrf}
    assert "Add reading" not in (await client.get(f"/infusions/{infusion.id}")).text
    assert (await client.post(f"/infusions/{infusion.id}/vitals", data=vitals)).status_code == 403
    clinic = await Clinic.get(slug="demo.clinic")
    await Clinic.filter(id=clinic.id).update(settings={**clinic.settings, "therapists_record_vitals": True})
    assert "Add reading" in (await client.get(f"/infusions/{infusion.id}")).text
    assert (await client.post(f"/infusions/{infusion.id}/vitals", data=vitals)).status_code in (200, 303)
    assert await VitalSign.filter(infusion_id=infusion.id).count() == before + 1


async def test_an_admin_turns_therapists_vitals_on_and_off_on_the_settings_page(client, demo):
    csrf = await sign_in(client, "admin@demo.clinic")
    page = await client.get("/admin/settings")
    assert 'name="therapists_record_vitals" type="checkbox">' in page.text  # off by default
    form = {k: str(v) for k, v in _as_form(await Clinic.get(slug="demo.clinic")).items() if not isinstance(v, bool)}
    data = {**form, "flags": "shown", "therapists_record_vitals": "on", "csrf_token": csrf}
    assert (await client.post("/admin/settings", data=data)).status_code == 303
    clinic = await Clinic.get(slug="demo.clinic")
    assert clinic.settings["therapists_record_vitals"] is True
    assert 'name="therapists_record_vitals" type="checkbox" checked' in (await client.get("/admin/settings")).text
    form = {k: str(v) for k, v in _as_form(clinic).items() if not isinstance(v, bool)}
    unticked = {**form, "flags": "shown", "csrf_token": csrf}  # an unticked box is not sent at all
    assert (await client.post("/admin/settings", data=unticked)).status_code == 303
    assert (await Clinic.get(slug="demo.clinic")).settings["therapists_record_vitals"] is False
    changed = await AuditEvent.filter(action="clinic.settings_changed").order_by("-seq").first()
    assert changed.detail == {"changed": ["therapists_record_vitals"]}


async def test_medical_staff_see_their_care_teams_patients_without_shared_entries_or_notes(client, demo):
    await sign_in(client, "nurse@demo.clinic")
    patient, nurse = await casey(), await User.get(email="nurse@demo.clinic")
    chart = await client.get(f"/patients/{patient.id}")
    assert chart.status_code == 200 and "Record infusion" in chart.text
    assert "journal.shared_viewed" not in [a for a in await AuditEvent.filter(actor_id=nurse.id).values_list(
        "action", flat=True)]  # fmt: skip
    assert "Casey Morgan" in (await client.get("/caseload")).text
    assert (await client.get("/alerts")).status_code == 403
    assert (await client.get(f"/patients/{patient.id}/process-notes")).status_code == 404
    await CareTeam.filter(patient_id=patient.id, therapist_id=nurse.id).delete()
    assert (await client.get(f"/patients/{patient.id}")).status_code == 404
    assert "Casey Morgan" not in (await client.get("/caseload")).text


async def test_a_supervisor_adds_medical_staff_to_a_care_team(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    patient, physician = await casey(), await User.get(email="physician@demo.clinic")
    await CareTeam.filter(patient_id=patient.id, therapist_id=physician.id).delete()
    assert "Noor Haddad" in (await client.get("/care-teams")).text
    data = {"csrf_token": csrf, "therapist_id": str(physician.id), "action": "add"}
    r = await client.post(f"/patients/{patient.id}/care-team", data=data)
    assert r.status_code in (200, 303)
    assert await CareTeam.filter(patient_id=patient.id, therapist_id=physician.id).exists()


async def test_an_amendment_keeps_the_clinician_an_older_record_names(client, demo):
    """A record from before the medical role names a therapist as giving the dose: the nurse's edit form offers that
    name, selected, and saving keeps it (never silently blanked or swapped for someone else)."""
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(await casey())
    sam = await User.get(email="therapist@demo.clinic")
    await Infusion.filter(id=infusion.id).update(administered_by_id=sam.id)
    form = await client.get(f"/infusions/{infusion.id}/edit")
    assert f'<option value="{sam.id}" selected>Sam Okafor</option>' in form.text
    infusion = await Infusion.get(id=infusion.id).select_related("patient__clinic")
    values = form_values(infusion, infusion.patient.clinic.timezone)
    data = {k: ("on" if v is True else v) for k, v in values.items() if v is not False and v != []}
    r = await client.post(f"/infusions/{infusion.id}/edit", data={**data, "csrf_token": csrf})
    assert r.status_code == 303, r.text.split('role="alert"', 1)[-1][:300]
    assert (await Infusion.get(id=infusion.id)).administered_by_id == sam.id
    data["administered_by_id"] = str((await User.get(email="therapist2@demo.clinic")).id)  # naming another: refused
    data["version"] = str((await Infusion.get(id=infusion.id)).version)
    r = await client.post(f"/infusions/{infusion.id}/edit", data={**data, "csrf_token": csrf})
    assert r.status_code == 400 and "Choose a member of this clinic" in r.text
