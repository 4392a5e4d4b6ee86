"""Break the glass: a therapist's time-boxed emergency read access to a patient outside their care team, with a
reason and step-up re-authentication, audited as high priority (HIPAA emergency access procedure,
45 CFR 164.312(a)(2)(ii)). care.access.break_glass_until honours the grants; supervisors review them in
oversight/glass.py."""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from care import access
from care.models import BreakGlass, Patient
from server import audit, once, step_up
from server.actor import Actor
from server.errors import Invalid
from server.policy import can, require

GRANT = timedelta(minutes=60)


async def request_access(actor: Actor, key: str, mrn: str, reason: str, password: step_up.Proof | str) -> BreakGlass:
    """Grant 60 minutes of read access to a patient outside the therapist's care team, after step-up. A repeat of
    the same form (its `key`) returns the grant it made."""
    await require(actor.user, access.MAY_BREAK_GLASS_REQUEST)
    if (first := await once.repeat(actor, key, "break_glass")) is not None:
        return await BreakGlass.get(id=first)
    errors: dict[str, str] = {}
    if len(reason.strip()) < 10 or len(reason) > 500:
        errors["reason"] = "Say why this is an emergency (10 to 500 characters)."
    patient = await Patient.get_or_none(mrn=mrn.strip(), clinic_id=actor.clinic_id) if mrn.strip() else None
    if patient is None:
        errors["mrn"] = "No patient with that MRN in your clinic."
    elif await can(actor.user, access.MAY_PATIENT_VIEW, patient):
        errors["mrn"] = "This patient is already on your caseload; open their chart directly."
    if not errors:
        errors |= (await step_up.verify(actor, password)).errors("That password is wrong.")
    if errors:
        async with in_transaction():
            await audit.record(
                actor,
                access.GLASS_DENIED,
                outcome="denied",
                object_type="patient",
                object_id=patient.id if patient else "",
                patient_id=patient.id if patient else None,
                detail={"fields": sorted(errors)},
            )
        raise Invalid(errors)
    assert patient is not None
    return await once.create(actor, key, "break_glass", lambda: _grant(actor, patient, reason), _grant_by_id)


async def _grant_by_id(grant_id: int) -> BreakGlass:
    return await BreakGlass.get(id=grant_id)


async def _grant(actor: Actor, patient: Patient, reason: str) -> BreakGlass:
    async with in_transaction():
        grant = await BreakGlass.create(
            clinic_id=actor.clinic_id,
            user=actor.user,
            patient=patient,
            reason=reason.strip(),
            granted_at=actor.now,
            expires_at=actor.now + GRANT,
        )
        await audit.record(
            actor,
            access.GLASS_GRANTED,
            object_type="break_glass",
            object_id=grant.id,
            patient_id=patient.id,
            reason=reason.strip(),
            detail={"priority": "high", "minutes": 60},
        )
    return grant
