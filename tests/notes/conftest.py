from __future__ import annotations

import secrets

from care.models import Infusion, Patient

PASSWORD = "quiet-harbor-lantern"
HX = {"HX-Request": "true"}


def note_form(csrf: str, *, version: int = 0, key: str | None = None, **fields: str) -> dict[str, str]:
    base = {
        "csrf_token": csrf,
        "version": str(version),
        "draft_key": key or secrets.token_urlsafe(24),
        "format": "DAP",
        "kap_phase": "integration",
        "s_session_summary": "Calm session, music helped.",
        "s_data": "Patient described the lake image again.",
        "s_assessment": "Engaged, hopeful.",
        "s_plan": "Continue weekly integration.",
        "risk_ideation": "none",
    }
    return {**base, **fields}


async def casey_infusion(number: int = 5) -> Infusion:
    patient = await Patient.get(mrn="DC-1001")
    return await Infusion.get(patient_id=patient.id, number=number)
