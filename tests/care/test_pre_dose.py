"""The pre-dose safety gate: "dose started" is refused until the course's consent is signed (for Spravato the REMS
patient enrolment too) and the checklist on the record is complete (pre-dose BP, with a decision above 140/90;
escort; fasting; medications reviewed). A booked session is saved without any of it."""

from __future__ import annotations

import pytest

from care.infusion_forms import form_values
from care.models import Course, Infusion
from tests.care.conftest import casey, sign_in
from tests.care.test_infusion_rules import SPRAVATO, error
from tests.care.test_infusions import GOOD

MISSING = [
    ("pre_dose_systolic", "Record the pre-dose blood pressure before the dose is started."),
    ("pre_dose_diastolic", "Record the pre-dose blood pressure before the dose is started."),
    ("escort_confirmed", "Confirm an adult escort for discharge before the dose is started."),
    ("fasting_confirmed", "Confirm the patient has fasted before the dose is started."),
    ("medications_reviewed", "Review the patient&#39;s medications before the dose is started."),
]


async def _new(client, csrf, patient, data):
    return await client.post(f"/patients/{patient.id}/infusions/new", data={**data, "csrf_token": csrf})


async def _course(client, csrf, patient, protocol: str, consents: tuple[str, ...]) -> None:
    """Close Casey's IV course, start `protocol` on 1 Nov 2026 and record `consents` signed that day."""
    data = {"protocol": protocol, "planned_count": "6", "started_on": "2026-11-01", "close_current": "completed"}
    assert (await client.post(f"/patients/{patient.id}/courses", data={**data, "csrf_token": csrf})).status_code == 303
    course = await Course.get(patient_id=patient.id, protocol=protocol)
    for kind in consents:
        data = {"kind": kind, "signed_on": "2026-11-01", "csrf_token": csrf}
        assert (await client.post(f"/courses/{course.id}/consents", data=data)).status_code == 303


@pytest.mark.parametrize(("name", "message"), MISSING)
async def test_a_started_dose_is_refused_without_each_checklist_item(client, demo, name, message):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    r = await _new(client, csrf, patient, {k: v for k, v in GOOD.items() if k != name})
    assert r.status_code == 400
    assert error(r.text, name) == message
    assert 'value="KET-9"' in r.text and 'value="2026-11-21T09:10"' in r.text
    assert not await Infusion.filter(patient_id=patient.id, number=7).exists()


async def test_a_started_dose_is_refused_without_signed_consent(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    await _course(client, csrf, patient, "kap_lozenge", ())
    data = {**GOOD, "route": "sublingual", "lozenge_mg": "150", "number": "1"}
    r = await _new(client, csrf, patient, data)
    assert r.status_code == 400
    assert "Informed consent (ketamine-assisted psychotherapy (KAP)) is not signed" in error(r.text, "consent")
    assert "not recorded — <a" in r.text  # the checklist shows it missing, with a link to the chart
    assert not await Infusion.filter(patient_id=patient.id).exclude(course__protocol="iv_induction").exists()


async def test_consent_signed_after_the_day_of_the_dose_does_not_count(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    await _course(client, csrf, patient, "custom", ())
    course = await Course.get(patient_id=patient.id, protocol="custom")
    consent = {"kind": "off_label_ketamine", "signed_on": "2026-11-22", "csrf_token": csrf}
    assert (await client.post(f"/courses/{course.id}/consents", data=consent)).status_code == 303
    r = await _new(client, csrf, patient, {**GOOD, "number": "1"})
    assert r.status_code == 400 and "is not signed on this course by 21 Nov 2026" in error(r.text, "consent")
    today = {"scheduled_at": "2026-11-22T08:00", "started_at": "2026-11-22T08:10", "ended_at": "2026-11-22T08:50"}
    r = await _new(client, csrf, patient, {**GOOD, "number": "1", **today, "discharge_ready_at": "2026-11-22T09:30"})
    assert r.status_code == 303


async def test_spravato_needs_the_rems_patient_enrolment_too(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    await _course(client, csrf, patient, "spravato", ("spravato_treatment",))
    r = await _new(client, csrf, patient, {**SPRAVATO, "number": "1"})
    assert r.status_code == 400
    assert "REMS patient enrolment (Spravato REMS patient enrolment) is not signed" in error(r.text, "rems_enrolment")
    assert error(r.text, "consent") == ""


async def test_a_pre_dose_bp_above_140_90_needs_a_decision_and_its_reason(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    high = {**GOOD, "pre_dose_systolic": "150", "pre_dose_diastolic": "92"}
    r = await _new(client, csrf, patient, high)
    assert r.status_code == 400
    assert "Pre-dose BP 150/92 is above 140/90" in error(r.text, "bp_decision")
    assert error(r.text, "bp_decision_reason") == "Write the reason for the decision."
    r = await _new(client, csrf, patient, {**high, "bp_decision": "delay", "bp_decision_reason": "Rechecked: 152/94"})
    assert r.status_code == 400 and "The dose was delayed" in error(r.text, "bp_decision")
    assert not await Infusion.filter(patient_id=patient.id, number=7).exists()
    reason = "Rechecked after 10 minutes rest: 138/88; usual for her"
    r = await _new(client, csrf, patient, {**high, "bp_decision": "proceed", "bp_decision_reason": reason})
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert f"BP 150/92 — went ahead: {reason}" in page.text


async def test_a_delay_is_recorded_on_a_booked_session(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    delayed = {"bp_decision": "delay", "bp_decision_reason": "190/100 twice; GP to review"}
    booked = {"started_at": "", "ended_at": "", "discharge_ready_at": ""}
    high = {"pre_dose_systolic": "190", "pre_dose_diastolic": "100"}
    r = await _new(client, csrf, patient, {**GOOD, **booked, **high, **delayed})
    assert r.status_code == 303
    infusion = await Infusion.get(patient_id=patient.id, number=7)
    assert infusion.started_at is None and infusion.bp_decision == "delay"


async def test_a_booked_session_needs_no_checklist(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    booked = {k: v for k, v in GOOD.items() if k not in dict(MISSING)}
    r = await _new(client, csrf, patient, {**booked, "started_at": "", "ended_at": "", "discharge_ready_at": ""})
    assert r.status_code == 303


async def test_a_complete_checklist_records_the_dose_and_shows_it(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    form = await client.get(f"/patients/{patient.id}/infusions/new")
    assert "Before the dose" in form.text
    consent = "Informed consent (off-label ketamine or ketamine-assisted psychotherapy (KAP)): signed 31 Oct 2026"
    assert consent in form.text
    r = await _new(client, csrf, patient, GOOD)
    assert r.status_code == 303
    infusion = await Infusion.get(patient_id=patient.id, number=7)
    assert (infusion.pre_dose_systolic, infusion.pre_dose_diastolic) == (128, 82)
    assert infusion.escort_confirmed and infusion.fasting_confirmed and infusion.medications_reviewed
    page = await client.get(r.headers["location"])
    assert "BP 128/82 · fasting confirmed · medications reviewed" in page.text


async def test_the_edit_form_takes_the_pre_dose_bp_from_a_reading_before_the_dose(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    booked = await Infusion.get(patient__mrn="DC-1001", number=6)
    reading = {"minute_offset": "-10", "systolic": "124", "diastolic": "78", "heart_rate": "70", "spo2": "99"}
    r = await client.post(f"/infusions/{booked.id}/vitals", data={**reading, "csrf_token": csrf})
    assert r.status_code == 303
    form = await client.get(f"/infusions/{booked.id}/edit")
    assert 'name="pre_dose_systolic" type="text" value="124"' in form.text
    assert 'name="pre_dose_diastolic" type="text" value="78"' in form.text


@pytest.mark.parametrize(
    ("clinician", "mrn"),
    [
        ("nurse@demo.clinic", "DC-1001"),
        ("physician@demo.clinic", "DC-1002"),
    ],
)
async def test_every_demo_infusion_saves_unchanged(client, demo, clinician, mrn):
    """The demo's records pass every rule: each saves again exactly as its edit form shows it."""
    csrf = await sign_in(client, clinician)
    for infusion in await Infusion.filter(patient__mrn=mrn).select_related("patient__clinic").order_by("number"):
        values = form_values(infusion, infusion.patient.clinic.timezone)
        data = {k: ("on" if v is True else v) for k, v in values.items() if v is not False and v != []}
        r = await client.post(f"/infusions/{infusion.id}/edit", data={**data, "csrf_token": csrf})
        assert r.status_code == 303, (infusion.number, r.text.split('role="alert"', 1)[-1][:400])
        saved = await Infusion.get(id=infusion.id)
        assert (saved.started_at, saved.total_mg, saved.fasting_confirmed) == (
            infusion.started_at,
            infusion.total_mg,
            infusion.fasting_confirmed,
        )


async def test_a_booked_spravato_session_still_lacks_its_bp_before_the_dose(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    await _course(client, csrf, patient, "spravato", ("spravato_treatment", "spravato_rems"))
    booked = {**SPRAVATO, "number": "1", "scheduled_at": "2026-11-24T09:00", "started_at": "", "ended_at": ""}
    r = await _new(client, csrf, patient, {k: v for k, v in booked.items() if not k.startswith("pre_dose")})
    assert r.status_code == 303
    assert "BP before the dose — missing" in (await client.get(r.headers["location"])).text
