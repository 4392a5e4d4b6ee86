"""Sanity at the edge of the infusion form: times that have happened and follow each other, a dose in the unit and
range of its route and agent, esketamine only in a Spravato course with the labelled first dose. The test clock
reads Sun 22 Nov 2026, 10:00 in New York; Casey Morgan (born 12 May 1984) has an IV course started 1 Nov 2026."""

from __future__ import annotations

from care.models import Infusion
from tests.care.conftest import casey, new_patient, sign_in, spravato_course
from tests.care.test_infusions import GOOD

SPRAVATO = {**GOOD, "agent": "esketamine", "route": "intranasal", "spravato_mg": "56", "discharge_ready_at": ""}


async def _new(client, csrf, patient, **changes):
    return await client.post(f"/patients/{patient.id}/infusions/new", data={**GOOD, **changes, "csrf_token": csrf})


def error(html: str, name: str) -> str:
    """The message shown next to the field `name` (the e-<name> paragraph), or "" when there is none."""
    marker = f'id="e-{name}">'
    return html.split(marker, 1)[1].split("</p>", 1)[0] if marker in html else ""


async def test_it_refuses_a_dose_started_next_year_and_keeps_the_input(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    r = await _new(client, csrf, patient, started_at="2027-11-21T09:10", ended_at="", discharge_ready_at="")
    assert r.status_code == 400
    assert "started in the future (it is now Sun 22 Nov 2026, 10:00)" in error(r.text, "started_at")
    assert 'value="2027-11-21T09:10"' in r.text
    assert not await Infusion.filter(patient_id=patient.id, number=7).exists()


async def test_a_dose_may_start_up_to_five_minutes_ahead_of_the_clock(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    late = dict(scheduled_at="2026-11-22T10:00", ended_at="", discharge_ready_at="")
    r = await _new(client, csrf, patient, started_at="2026-11-22T10:06", **late)
    assert r.status_code == 400 and "in the future" in error(r.text, "started_at")
    r = await _new(client, csrf, patient, started_at="2026-11-22T10:05", **late)
    assert r.status_code == 303


async def test_the_end_and_ready_to_leave_times_have_happened_and_follow_the_dose(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    r = await _new(client, csrf, patient, ended_at="2026-11-23T09:50", discharge_ready_at="2026-11-21T09:30")
    assert r.status_code == 400
    assert "in the future" in error(r.text, "ended_at")
    assert "at or after the end of the dose" in error(r.text, "discharge_ready_at")
    r = await _new(client, csrf, patient, started_at="", discharge_ready_at="2026-11-21T11:00")
    assert r.status_code == 400 and "Enter when the dose started first." in error(r.text, "ended_at")
    assert not await Infusion.filter(patient_id=patient.id, number=7).exists()


async def test_an_infusion_cannot_be_scheduled_before_its_course_started(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    booked = {"started_at": "", "ended_at": "", "discharge_ready_at": ""}
    r = await _new(client, csrf, patient, scheduled_at="2026-10-31T09:00", **booked)
    assert r.status_code == 400
    assert "before the course started (1 Nov 2026)" in error(r.text, "scheduled_at")
    r = await _new(client, csrf, patient, scheduled_at="2026-11-01T09:00", **booked)
    assert r.status_code == 303


async def test_an_iv_dose_above_0_75_mg_per_kg_needs_a_confirmed_reason(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    r = await _new(client, csrf, patient, dose_mg_per_kg="0.9")
    assert r.status_code == 400
    assert "0.9 mg/kg is above 0.75 mg/kg" in error(r.text, "dose_mg_per_kg") and 'value="0.9"' in r.text
    r = await _new(client, csrf, patient, dose_mg_per_kg="0.9", high_dose_confirmed="on")
    assert r.status_code == 400 and "Write why" in error(r.text, "high_dose_reason")
    reason = "No response at 0.5 and 0.75 mg/kg after three sessions each"
    r = await _new(client, csrf, patient, dose_mg_per_kg="0.9", high_dose_confirmed="on", high_dose_reason=reason)
    assert r.status_code == 303
    infusion = await Infusion.get(patient_id=patient.id, number=7)
    assert str(infusion.total_mg) == "63.0" and infusion.high_dose_reason == reason
    assert f"Above 0.75 mg/kg, confirmed: {reason}" in (await client.get(r.headers["location"])).text


async def test_iv_and_im_doses_stop_at_2_mg_per_kg(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    confirmed = {"high_dose_confirmed": "on", "high_dose_reason": "Protocol dose"}
    r = await _new(client, csrf, patient, route="im", dose_mg_per_kg="2.1", **confirmed)
    assert r.status_code == 400 and "between 0.05 and 2.0 mg/kg" in error(r.text, "dose_mg_per_kg")
    r = await _new(client, csrf, patient, route="im", dose_mg_per_kg="2.0", **confirmed)
    assert r.status_code == 303


async def test_a_lozenge_dose_is_recorded_in_mg(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    form = await client.get(f"/patients/{patient.id}/infusions/new")
    assert 'name="lozenge_mg"' in form.text
    r = await _new(client, csrf, patient, route="sublingual", lozenge_mg="200", dose_mg_per_kg="")
    assert r.status_code == 303
    infusion = await Infusion.get(patient_id=patient.id, number=7)
    assert str(infusion.total_mg) == "200.0" and infusion.dose_mg_per_kg is None
    edit = await client.get(f"/infusions/{infusion.id}/edit")
    assert 'name="lozenge_mg" type="text" value="200.0"' in edit.text


async def test_a_lozenge_dose_outside_10_to_300_mg_is_refused(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    for typed, message in (("400", "between 10 and 300 mg"), ("5", "between 10 and 300 mg"), ("", "Enter the lozenge")):
        r = await _new(client, csrf, patient, route="sublingual", lozenge_mg=typed)
        assert r.status_code == 400 and message in error(r.text, "lozenge_mg"), typed
    assert not await Infusion.filter(patient_id=patient.id, number=7).exists()


async def test_racemic_ketamine_is_not_recorded_as_intranasal(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    r = await _new(client, csrf, await casey(), route="intranasal")
    assert r.status_code == 400 and "Intranasal is for esketamine" in error(r.text, "route")


async def test_esketamine_is_given_only_in_a_spravato_course(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    r = await _new(client, csrf, patient, **{**SPRAVATO, "discharge_ready_at": "2026-11-21T11:10"})
    assert r.status_code == 400 and "only in a Spravato course" in error(r.text, "agent")
    assert not await Infusion.filter(patient_id=patient.id, number=7).exists()


async def test_spravato_patients_are_observed_120_minutes_before_leaving(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    await spravato_course(client, csrf, patient)
    r = await _new(client, csrf, patient, **{**SPRAVATO, "discharge_ready_at": "2026-11-21T11:09"})
    assert r.status_code == 400
    assert "at least 120 minutes of observation" in error(r.text, "discharge_ready_at")
    assert "no earlier than Sat 21 Nov 2026, 11:10" in error(r.text, "discharge_ready_at")
    r = await _new(client, csrf, patient, **{**SPRAVATO, "discharge_ready_at": "2026-11-21T11:10"})
    assert r.status_code == 303


async def test_the_first_spravato_dose_of_a_course_is_56_mg(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    await spravato_course(client, csrf, patient)
    r = await _new(client, csrf, patient, **{**SPRAVATO, "spravato_mg": "84"})
    assert r.status_code == 400 and "the first dose is 56 mg" in error(r.text, "spravato_mg")
    assert (await _new(client, csrf, patient, **SPRAVATO)).status_code == 303
    later = {"number": "8", "scheduled_at": "2026-11-22T08:00", "started_at": "2026-11-22T08:10", "ended_at": ""}
    assert (await _new(client, csrf, patient, **{**SPRAVATO, "spravato_mg": "84", **later})).status_code == 303


async def test_the_first_spravato_dose_from_the_65th_birthday_is_28_mg(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    today = {"scheduled_at": "2026-11-22T08:00", "started_at": "2026-11-22T08:10", "ended_at": ""}
    turning_65 = await new_patient(client, csrf, "1961-11-22", "DC-3065")
    await spravato_course(client, csrf, turning_65, started_on="2026-11-22")
    r = await _new(client, csrf, turning_65, **{**SPRAVATO, **today, "number": "1"})
    assert r.status_code == 400 and "the patient is 65" in error(r.text, "spravato_mg")
    r = await _new(client, csrf, turning_65, **{**SPRAVATO, **today, "number": "1", "spravato_mg": "28"})
    assert r.status_code == 303
    still_64 = await new_patient(client, csrf, "1961-11-23", "DC-3064")
    await spravato_course(client, csrf, still_64, started_on="2026-11-22")
    r = await _new(client, csrf, still_64, **{**SPRAVATO, **today, "number": "1", "spravato_mg": "28"})
    assert r.status_code == 400 and "the first dose is 56 mg" in error(r.text, "spravato_mg")
    assert (await _new(client, csrf, still_64, **{**SPRAVATO, **today, "number": "1"})).status_code == 303
