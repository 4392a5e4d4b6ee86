"""Break the glass: time-boxed emergency read access with a reason, reviewed by a supervisor (HIPAA §164.312)."""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from care.access import MAY_PATIENT_VIEW
from care.access import can as can_do
from care.models import BreakGlass, Patient
from oversight import access
from oversight.access import MAY_BREAK_GLASS_REQUEST, MAY_OVERSIGHT_AUDIT
from server import audit
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.policy import require

GRANT = timedelta(minutes=60)


async def request_access(actor: Actor, mrn: str, reason: str, password: str) -> BreakGlass:
    """Grant 60 minutes of read access to a patient outside the therapist's care team, after step-up."""
    await require(actor.user, MAY_BREAK_GLASS_REQUEST)
    errors: dict[str, str] = {}
    if len(reason.strip()) < 10 or len(reason) > 500:
        errors["reason"] = "Say why this is an emergency (10 to 500 characters)."
    patient = await Patient.get_or_none(mrn=mrn.strip(), clinic_id=actor.clinic_id) if mrn.strip() else None
    if patient is None:
        errors["mrn"] = "No patient with that MRN in your clinic."
    elif await can_do(actor.user, MAY_PATIENT_VIEW, patient):
        errors["mrn"] = "This patient is already on your caseload; open their chart directly."
    if not errors and not await actor.passwords.verify(actor.user.password_hash if actor.user else None, password):
        errors["password"] = "That password is wrong."  # noqa: S105 - a message, not a secret
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
            access.GLASS_REQUESTED,
            object_type="break_glass",
            object_id=grant.id,
            patient_id=patient.id,
            reason=reason.strip(),
            detail={"priority": "high", "minutes": 60},
        )
    return grant


async def for_review(actor: Actor) -> list[BreakGlass]:
    await require(actor.user, MAY_OVERSIGHT_AUDIT)
    grants = (
        await BreakGlass.filter(clinic_id=actor.clinic_id)
        .select_related("user", "patient__user", "reviewed_by")
        .order_by("reviewed_at", "-granted_at")
        .limit(200)
    )
    await audit.record_read(actor, access.GLASS_LIST_VIEWED, object_type="clinic", object_id=actor.clinic_id)
    return sorted(grants, key=lambda g: (g.reviewed_at is not None, -g.granted_at.timestamp()))


async def review(actor: Actor, grant_id: int, note: str) -> BreakGlass:
    await require(actor.user, MAY_OVERSIGHT_AUDIT)
    grant = await BreakGlass.get_or_none(id=grant_id, clinic_id=actor.clinic_id)
    if grant is None:
        raise NotFound("break glass")
    if not note.strip() or len(note) > 500:
        raise Invalid({"review_note": "Record what you found (up to 500 characters)."})
    async with in_transaction():
        await BreakGlass.filter(id=grant.id).update(reviewed_by=actor.user, reviewed_at=actor.now, review_note=note)
        await audit.record(
            actor, access.GLASS_REVIEWED, object_type="break_glass", object_id=grant.id, patient_id=grant.patient_id
        )
    return grant
