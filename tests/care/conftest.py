from __future__ import annotations

from care.models import Course, Infusion, Patient
from tests.conftest import login, token


async def sign_in(client, email: str) -> str:
    """Sign in and return the session's CSRF token."""
    assert (await login(client, email)).status_code == 303
    return await token(client)


async def casey() -> Patient:
    return await Patient.get(mrn="DC-1001").select_related("user")


async def last_infusion(patient: Patient) -> Infusion:
    return await Infusion.filter(patient_id=patient.id, started_at__not_isnull=True).order_by("-number").first()


async def spravato_course(client, csrf: str, patient: Patient, started_on: str = "2026-11-01") -> Course:
    """The patient's open course completed and a Spravato course started in its place, with its treatment consent
    and REMS patient enrolment signed on its first day."""
    data = {"protocol": "spravato", "planned_count": "8", "started_on": started_on, "close_current": "completed"}
    r = await client.post(f"/patients/{patient.id}/courses", data={**data, "csrf_token": csrf})
    assert r.status_code == 303, r.text
    course = await Course.get(patient_id=patient.id, protocol="spravato")
    for kind in ("spravato_treatment", "spravato_rems"):
        r = await client.post(
            f"/courses/{course.id}/consents", data={"csrf_token": csrf, "kind": kind, "signed_on": started_on}
        )
        assert r.status_code == 303, r.text
    return course


async def new_patient(client, csrf: str, date_of_birth: str, mrn: str) -> Patient:
    """A new patient of the signed-in therapist, born on `date_of_birth`."""
    data = {
        "name": f"Patient {mrn}",
        "email": f"{mrn.lower()}@example.org",
        "mrn": mrn,
        "date_of_birth": date_of_birth,
        "weight_kg": "70",
        "password": "lanterns by the harbour",
        "csrf_token": csrf,
    }
    r = await client.post("/patients/new", data=data)
    assert r.status_code == 303, r.text
    return await Patient.get(mrn=mrn)
