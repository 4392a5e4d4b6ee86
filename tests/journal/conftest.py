from __future__ import annotations

import secrets

from care.models import Infusion, Patient

HX = {"HX-Request": "true"}


def draft(csrf: str, *, version: int = 0, key: str | None = None, **fields: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "version": str(version),
        "draft_key": key or secrets.token_urlsafe(24),
        "kind": "free",
        **fields,
    }


async def casey_infusion(number: int = 5) -> Infusion:
    patient = await Patient.get(mrn="DC-1001")
    return await Infusion.get(patient_id=patient.id, number=number)
