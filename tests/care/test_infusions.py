from __future__ import annotations

from care.models import Infusion, VitalSign
from server.models import AuditEvent
from tests.care.conftest import casey, last_infusion, sign_in, spravato_course

# Given yesterday (the test clock reads Sun 22 Nov 2026, 10:00 in New York), with the pre-dose checklist complete.
GOOD = {
    "number": "7",
    "phase": "dosing",
    "scheduled_at": "2026-11-21T09:00",
    "started_at": "2026-11-21T09:10",
    "ended_at": "2026-11-21T09:50",
    "route": "iv",
    "agent": "racemic_ketamine",
    "dose_mg_per_kg": "0.5",
    "weight_kg": "70",
    "lot_number": "KET-9",
    "cadss": "12",
    "moaas": "4",
    "adverse_events": ["nausea"],
    "discharge_ready_at": "2026-11-21T11:00",
    "escort_confirmed": "on",
    "pre_dose_systolic": "128",
    "pre_dose_diastolic": "82",
    "fasting_confirmed": "on",
    "medications_reviewed": "on",
}


async def _new(client, csrf, patient, **changes):
    data = {**GOOD, **changes, "csrf_token": csrf}
    return await client.post(f"/patients/{patient.id}/infusions/new", data=data)


async def test_it_records_an_infusion_and_computes_the_total_dose(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    r = await _new(client, csrf, patient)
    assert r.status_code == 303
    infusion = await Infusion.get(patient_id=patient.id, number=7)
    assert str(infusion.total_mg) == "35.0" and infusion.adverse_events == ["nausea"] and infusion.escort_confirmed
    assert infusion.scheduled_at.isoformat() == "2026-11-21T14:00:00+00:00"  # 09:00 in New York, stored in UTC
    page = await client.get(r.headers["location"])
    assert "0.5 mg/kg × 70.0 kg = <strong>35.0 mg</strong>" in page.text
    assert "Sat 21 Nov 2026, 09:10" in page.text
    assert await AuditEvent.filter(action="infusion.created", patient_id=patient.id).exists()
    assert await AuditEvent.filter(action="infusion.viewed", patient_id=patient.id).exists()


async def test_bad_infusion_input_is_explained_field_by_field_and_nothing_is_saved(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    before = await Infusion.all().count()
    r = await _new(
        client,
        csrf,
        patient,
        weight_kg="0",
        dose_mg_per_kg="40",
        scheduled_at="1800-01-01T09:00",
        cadss="200",
        lot_number="KET-typed",
    )
    assert r.status_code == 400
    assert "The weight must be between 25 and 350 kg" in r.text
    assert "The dose must be between 0.05 and 2.0 mg/kg" in r.text
    assert "The scheduled time must be between" in r.text
    assert "The CADSS score must be between 0 and 92" in r.text
    assert 'value="KET-typed"' in r.text and 'value="40"' in r.text and 'value="1800-01-01T09:00"' in r.text
    assert await Infusion.all().count() == before


async def test_a_duplicate_infusion_number_is_refused(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    r = await _new(client, csrf, await casey(), number="3")
    assert r.status_code == 400 and "Infusion 3 already exists" in r.text


async def test_the_end_must_follow_the_start(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    r = await _new(client, csrf, await casey(), ended_at="2026-11-21T08:00")
    assert r.status_code == 400 and "must be after the start time" in r.text


async def test_spravato_needs_a_labelled_dose_and_intranasal_route(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    await spravato_course(client, csrf, patient)
    r = await _new(client, csrf, patient, agent="esketamine", route="iv", spravato_mg="100")
    assert r.status_code == 400 and "given intranasally" in r.text and "Spravato dose" in r.text
    r = await _new(
        client,
        csrf,
        patient,
        agent="esketamine",
        route="intranasal",
        spravato_mg="56",
        discharge_ready_at="2026-11-21T11:15",
        rems_sedation="on",
    )
    assert r.status_code == 303
    infusion = await Infusion.get(patient_id=patient.id, number=7)
    assert str(infusion.total_mg) == "56.0" and infusion.dose_mg_per_kg is None and infusion.rems["sedation"] is True
    page = await client.get(f"/infusions/{infusion.id}")
    assert "Observed 125 of at least 120 minutes" in page.text
    assert "BP before the dose — missing" not in page.text  # the pre-dose checklist's BP (a dose needs one now)
    assert "BP at about 40 minutes — missing" in page.text
    assert "Monitoring form due in 6 days" in page.text  # dose on 21 Nov + 7 days, seen on 22 Nov


async def test_vitals_rows_are_added_in_place_with_htmx_and_flags_recomputed(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(await casey())
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf}
    r = await client.post(
        f"/infusions/{infusion.id}/vitals",
        headers=headers,
        data={"minute_offset": "120", "systolic": "170", "diastolic": "95", "heart_rate": "90", "spo2": "90"},
    )
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section class="card" id="vitals"') and "<html" not in r.text
    assert "<td>120</td><td>170/95</td>" in r.text
    assert "BP rose to 170/95 at 120 min (+42/+13 over baseline)" in r.text and "SpO2 90% at 120 min" in r.text
    assert r.headers["vary"] == "HX-Request"
    assert await VitalSign.filter(infusion_id=infusion.id).count() == 8
    assert await AuditEvent.filter(action="vitals.recorded", patient_id=infusion.patient_id).exists()


async def test_vitals_work_without_javascript(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(await casey())
    r = await client.post(
        f"/infusions/{infusion.id}/vitals",
        data={
            "csrf_token": csrf,
            "minute_offset": "100",
            "systolic": "120",
            "diastolic": "80",
            "heart_rate": "70",
            "spo2": "99",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"/infusions/{infusion.id}#vitals"


async def test_impossible_vitals_are_refused_with_the_values_kept(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(await casey())
    r = await client.post(
        f"/infusions/{infusion.id}/vitals",
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
        data={"minute_offset": "30", "systolic": "400", "diastolic": "20", "heart_rate": "70", "spo2": "99"},
    )
    assert r.status_code == 400
    assert "systolic pressure must be between 60 and 260" in r.text
    assert "diastolic pressure must be between 30 and 160" in r.text
    assert 'value="400"' in r.text and 'value="20"' in r.text
    assert await VitalSign.filter(infusion_id=infusion.id).count() == 7


async def test_the_flag_preview_warns_while_typing(client, demo):
    await sign_in(client, "nurse@demo.clinic")
    r = await client.get(
        "/vitals/preview",
        params={"minute_offset": "-5", "systolic": "150", "diastolic": "85", "heart_rate": "80", "spo2": "98"},
    )
    assert r.status_code == 200 and "above 140/90" in r.text
    r = await client.get(
        "/vitals/preview",
        params={
            "baseline_systolic": "120",
            "baseline_diastolic": "80",
            "minute_offset": "30",
            "systolic": "150",
            "diastolic": "106",
            "heart_rate": "80",
            "spo2": "98",
        },
    )
    assert "+30/+26 over baseline" in r.text
    assert (await client.get("/vitals/preview", params={"systolic": "12"})).text.strip() == ""


async def test_the_dose_preview_multiplies(client, demo):
    await sign_in(client, "nurse@demo.clinic")
    r = await client.get("/dose/preview", params={"dose_mg_per_kg": "0.5", "weight_kg": "70"})
    assert "35.0 mg" in r.text
    assert "35.0" not in (await client.get("/dose/preview", params={"dose_mg_per_kg": "40", "weight_kg": "70"})).text


async def test_editing_an_infusion(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(await casey())
    form = await client.get(f"/infusions/{infusion.id}/edit")
    assert form.status_code == 200 and 'value="KET-2405"' in form.text
    r = await client.post(
        f"/infusions/{infusion.id}/edit",
        data={**GOOD, "number": str(infusion.number), "lot_number": "KET-FIXED", "version": "1", "csrf_token": csrf},
    )
    assert r.status_code == 303
    assert (await Infusion.get(id=infusion.id)).lot_number == "KET-FIXED"
    assert await AuditEvent.filter(action="infusion.updated", object_id=str(infusion.id)).exists()


async def test_a_supervisor_may_read_but_not_record(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    infusion = await last_infusion(await casey())
    page = await client.get(f"/infusions/{infusion.id}")
    assert page.status_code == 200 and "Add a reading" not in page.text and "Edit record" not in page.text
    r = await client.post(
        f"/infusions/{infusion.id}/vitals",
        data={
            "csrf_token": csrf,
            "minute_offset": "100",
            "systolic": "120",
            "diastolic": "80",
            "heart_rate": "70",
            "spo2": "99",
        },
    )
    assert r.status_code == 403
    assert (await client.get(f"/infusions/{infusion.id}/edit")).status_code == 403
    assert await VitalSign.filter(infusion_id=infusion.id).count() == 7
