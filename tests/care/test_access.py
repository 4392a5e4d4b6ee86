"""Every id-taking route of the care room answers 404 to strangers: another clinic, a therapist outside the care
team, and any patient — for reads and writes alike."""

from __future__ import annotations

import re

import httpx
import pytest

from care.calendar_models import Booking
from care.chart_models import Allergy, Diagnosis, Medication
from care.models import Course, MeasureResponse, RiskAlert, VitalSign
from server.web import leaf_routes
from tests.care.conftest import casey, last_infusion, sign_in

STRANGERS = ["therapist2@demo.clinic", "patient2@demo.clinic", "therapist@other.clinic", "patient@other.clinic"]


async def _ids() -> dict[str, int]:
    patient = await casey()
    return {
        "patient_id": patient.id,
        "infusion_id": (await last_infusion(patient)).id,
        "course_id": (await Course.get(patient_id=patient.id)).id,
        "alert_id": (await RiskAlert.get(patient_id=patient.id)).id,
        "measure_id": (await MeasureResponse.filter(patient_id=patient.id).first()).id,
        "vital_id": (await VitalSign.filter(infusion__patient_id=patient.id).first()).id,
        "booking_id": (await Booking.get(patient_id=patient.id)).id,
        **await _essentials(patient),
    }


async def _essentials(patient) -> dict[str, int]:
    """One medication, allergy and diagnosis on Casey's chart (the demo has none)."""
    stamp = {
        "clinic_id": patient.clinic_id,
        "patient_id": patient.id,
        "created_at": patient.created_at,
        "updated_at": patient.created_at,
    }
    return {
        "medication_id": (await Medication.create(name="Lorazepam", **stamp)).id,
        "allergy_id": (await Allergy.create(substance="Latex", **stamp)).id,
        "diagnosis_id": (await Diagnosis.create(code="F33.2", **stamp)).id,
    }


def _care_routes(app) -> list[tuple[str, str]]:
    found = []
    for r in leaf_routes(app.routes):
        if r.endpoint.__module__.startswith("care.") and re.search(r"\{\w+_id", r.path):
            found += [(m, r.path) for m in sorted(r.methods - {"HEAD"})]
    return found


@pytest.mark.parametrize("stranger", STRANGERS)
async def test_strangers_get_404_on_every_id_taking_route(app, demo, stranger):
    ids = await _ids()
    routes = _care_routes(app)
    assert len(routes) >= 15
    transport = httpx.ASGITransport(app=app, client=("203.0.113.20", 1000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        csrf = await sign_in(client, stranger)
        for method, path in routes:
            url = re.sub(r"\{(\w+):int\}", lambda m: str(ids[m.group(1)]), path)
            r = await client.request(method, url, data={"csrf_token": csrf} if method == "POST" else None)
            assert r.status_code == 404, f"{stranger} {method} {url} -> {r.status_code}"
            assert "Casey" not in r.text and "DC-1001" not in r.text


async def test_the_patient_may_see_her_own_result_but_no_staff_page(client, demo):
    ids = await _ids()
    await sign_in(client, "patient@demo.clinic")
    assert (await client.get(f"/measures/{ids['measure_id']}")).status_code == 200
    for path in (f"/patients/{ids['patient_id']}", f"/infusions/{ids['infusion_id']}"):
        assert (await client.get(path)).status_code == 404
    assert (await client.get("/caseload")).status_code == 403
