"""The infusion record's lifecycle: the clinician who gave the dose signs it (step-up), which locks it; after that
only an amendment with a reason changes it, every version kept and its changes shown; a wrong reading is struck
through with a reason, never deleted, and the same reading is not recorded twice."""

from __future__ import annotations

import asyncio

from care.models import Infusion, InfusionVersion, VitalSign
from server.models import AuditEvent, User
from tests.care.conftest import casey, last_infusion, sign_in
from tests.care.test_infusions import GOOD
from tests.conftest import DEMO_PASSWORD, another


async def _sign(client, csrf: str, infusion: Infusion, password: str = DEMO_PASSWORD):
    fresh = await Infusion.get(id=infusion.id)
    data = {"csrf_token": csrf, "version": str(fresh.version), "password": password}
    return await client.post(f"/infusions/{infusion.id}/sign", data=data)


async def _given(client, csrf: str) -> Infusion:
    """Infusion 7 for Casey, given and recorded by Avery, the nurse (GOOD is a complete, given record)."""
    return await _given_number(client, csrf, 7)


async def _given_number(client, csrf: str, number: int) -> Infusion:
    patient = await casey()
    data = {**GOOD, "number": str(number), "csrf_token": csrf}
    r = await client.post(f"/patients/{patient.id}/infusions/new", data=data)
    assert r.status_code == 303, r.text[-800:]
    infusion = await Infusion.get(patient_id=patient.id, number=number)
    await Infusion.filter(id=infusion.id).update(administered_by_id=(await User.get(email="nurse@demo.clinic")).id)
    return await Infusion.get(id=infusion.id)


async def test_the_clinician_who_gave_the_dose_signs_with_the_password(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await _given(client, csrf)
    wrong = await _sign(client, csrf, infusion, "not my password")
    assert wrong.status_code == 400 and "That password is wrong" in wrong.text
    assert await AuditEvent.filter(action="infusion.step_up_failed", object_id=str(infusion.id)).exists()
    assert (await Infusion.get(id=infusion.id)).signed_at is None
    assert (await _sign(client, csrf, infusion)).status_code == 303
    signed = await Infusion.get(id=infusion.id)
    assert signed.signed_at is not None and signed.signed_by_id == signed.administered_by_id
    assert await InfusionVersion.filter(infusion_id=infusion.id, reason="Signed").count() == 1


async def test_only_the_clinician_who_gave_the_dose_may_sign(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await _given(client, csrf)
    await Infusion.filter(id=infusion.id).update(administered_by_id=None)
    r = await _sign(client, csrf, infusion)
    assert r.status_code == 400 and "who gave the dose, signs this record" in r.text
    assert (await Infusion.get(id=infusion.id)).signed_at is None


async def test_a_signed_record_changes_only_by_an_amendment_with_a_reason(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await _given(client, csrf)
    assert (await _sign(client, csrf, infusion)).status_code == 303
    signed = await Infusion.get(id=infusion.id)
    edit = {
        **GOOD,
        "number": "7",
        "lot_number": "KET-AMENDED",
        "administered_by_id": str(signed.administered_by_id),
        "version": str(signed.version),
        "csrf_token": csrf,
    }
    bare = await client.post(f"/infusions/{infusion.id}/edit", data=edit)
    assert bare.status_code == 400 and "This record is signed: say why you are amending it" in bare.text
    assert 'value="KET-AMENDED"' in bare.text and (await Infusion.get(id=infusion.id)).lot_number == "KET-9"
    amended = await client.post(
        f"/infusions/{infusion.id}/edit", data={**edit, "amend_reason": "Lot number misread from the vial"}
    )
    assert amended.status_code == 303 and (await Infusion.get(id=infusion.id)).lot_number == "KET-AMENDED"
    kept = await InfusionVersion.filter(infusion_id=infusion.id).order_by("version")
    assert [k.reason for k in kept] == ["Signed", "Lot number misread from the vial"]
    assert kept[0].content["lot_number"] == "KET-9" and kept[1].content["lot_number"] == "KET-AMENDED"
    event = await AuditEvent.filter(action="infusion.amended", object_id=str(infusion.id)).get()
    assert event.detail["changed"] == ["lot_number"]
    page = (await client.get(f"/infusions/{infusion.id}/versions")).text
    assert "Lot number misread from the vial" in page
    assert "<del>KET-9</del>" in page and "<ins>KET-AMENDED</ins>" in page


async def test_a_stranger_gets_404_on_the_versions_and_the_signature(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await _given(client, csrf)
    async with another(client) as stranger:
        other = await sign_in(stranger, "therapist2@demo.clinic")
        assert (await stranger.get(f"/infusions/{infusion.id}/versions")).status_code == 404
        data = {"csrf_token": other, "version": "1", "password": DEMO_PASSWORD}
        assert (await stranger.post(f"/infusions/{infusion.id}/sign", data=data)).status_code == 404


async def test_a_wrong_reading_is_struck_through_with_a_reason_never_deleted(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(await casey())
    reading = {"minute_offset": "45", "systolic": "190", "diastolic": "120", "heart_rate": "88", "spo2": "97"}
    added = await client.post(f"/infusions/{infusion.id}/vitals", data={**reading, "csrf_token": csrf})
    assert added.status_code == 303
    row = await VitalSign.filter(infusion_id=infusion.id, systolic=190).get()
    assert "190/120" in (await client.get(f"/infusions/{infusion.id}")).text
    strike = f"/infusions/{infusion.id}/vitals/strike"
    bare = await client.post(strike, data={"csrf_token": csrf, "vital_id": str(row.id), "reason": " "})
    assert bare.status_code == 400 and "Say why this reading is wrong" in bare.text
    r = await client.post(strike, data={"csrf_token": csrf, "vital_id": str(row.id), "reason": "Cuff on the wrong arm"})
    assert r.status_code == 303
    struck = await VitalSign.get(id=row.id)
    assert struck.struck_at is not None and struck.struck_reason == "Cuff on the wrong arm"
    page = (await client.get(f"/infusions/{infusion.id}")).text
    assert "<del>190/120</del>" in page and "Struck through: Cuff on the wrong arm" in page
    assert await AuditEvent.filter(action="vitals.struck", object_id=str(row.id)).exists()


async def test_a_stranger_cannot_strike_a_reading(client, demo):
    infusion = await last_infusion(await casey())
    row = await VitalSign.filter(infusion_id=infusion.id).first()
    async with another(client) as stranger:
        other = await sign_in(stranger, "therapist2@demo.clinic")
        data = {"csrf_token": other, "vital_id": str(row.id), "reason": "Not mine"}
        assert (await stranger.post(f"/infusions/{infusion.id}/vitals/strike", data=data)).status_code == 404
    assert (await VitalSign.get(id=row.id)).struck_at is None


async def test_the_same_reading_at_the_same_minute_is_refused(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(await casey())
    reading = {"minute_offset": "50", "systolic": "130", "diastolic": "82", "heart_rate": "70", "spo2": "98"}
    added = await client.post(f"/infusions/{infusion.id}/vitals", data={**reading, "csrf_token": csrf})
    assert added.status_code == 303
    again = await client.post(f"/infusions/{infusion.id}/vitals", data={**reading, "csrf_token": csrf})
    assert again.status_code == 400 and "This reading is already recorded at minute 50" in again.text
    assert await VitalSign.filter(infusion_id=infusion.id, minute_offset=50).count() == 1


async def test_striking_a_reading_someone_already_struck_says_so(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(await casey())
    row = await VitalSign.filter(infusion_id=infusion.id).first()
    strike = f"/infusions/{infusion.id}/vitals/strike"
    first = await client.post(strike, data={"csrf_token": csrf, "vital_id": str(row.id), "reason": "Wrong patient"})
    assert first.status_code == 303
    second = await client.post(strike, data={"csrf_token": csrf, "vital_id": str(row.id), "reason": "Cuff too small"})
    assert second.status_code == 409 and "Someone else struck this reading through first: Wrong patient" in second.text
    assert (await VitalSign.get(id=row.id)).struck_reason == "Wrong patient"


async def test_signing_twice_or_six_times_at_once_signs_once_and_never_answers_5xx(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await _given(client, csrf)
    first, second = await _sign(client, csrf, infusion), await _sign(client, csrf, infusion)
    assert first.status_code == second.status_code == 303  # the repeat answers with the record, signed as asked
    other = await _given_number(client, csrf, 8)
    data = {"csrf_token": csrf, "version": str(other.version), "password": DEMO_PASSWORD}
    answers = await asyncio.gather(*(client.post(f"/infusions/{other.id}/sign", data=data) for _ in range(6)))
    assert all(a.status_code < 500 for a in answers) and 303 in {a.status_code for a in answers}
    for record in (infusion, other):
        assert await InfusionVersion.filter(infusion_id=record.id, reason="Signed").count() == 1
        assert await AuditEvent.filter(action="infusion.signed", object_id=str(record.id)).count() == 1


async def test_striking_twice_or_six_times_at_once_strikes_once_and_never_answers_5xx(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    infusion = await last_infusion(await casey())
    rows = await VitalSign.filter(infusion_id=infusion.id).order_by("id").limit(2)
    strike = f"/infusions/{infusion.id}/vitals/strike"
    once = {"csrf_token": csrf, "vital_id": str(rows[0].id), "reason": "Cuff on the wrong arm"}
    assert [(await client.post(strike, data=once)).status_code for _ in range(2)] == [303, 303]
    at_once = {**once, "vital_id": str(rows[1].id)}
    answers = await asyncio.gather(*(client.post(strike, data=at_once) for _ in range(6)))
    assert {a.status_code for a in answers} == {303}
    for row in rows:
        assert await AuditEvent.filter(action="vitals.struck", object_id=str(row.id)).count() == 1
