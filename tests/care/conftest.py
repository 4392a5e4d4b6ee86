from __future__ import annotations

from care.models import Infusion, Patient
from tests.conftest import login, token


async def sign_in(client, email: str) -> str:
    """Sign in and return the session's CSRF token."""
    assert (await login(client, email)).status_code == 303
    return await token(client)


async def casey() -> Patient:
    return await Patient.get(mrn="DC-1001").select_related("user")


async def last_infusion(patient: Patient) -> Infusion:
    return await Infusion.filter(patient_id=patient.id, started_at__not_isnull=True).order_by("-number").first()
