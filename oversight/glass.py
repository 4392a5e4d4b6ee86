"""The supervisor's break-the-glass review queue: every emergency access grant, unreviewed first, and recording what
the review found. Granting lives with the care records it opens (care/glass.py)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from care.models import BreakGlass
from oversight import access
from oversight.access import MAY_OVERSIGHT_AUDIT
from server import audit
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.policy import require


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
    """Record a supervisor's review of a grant; Invalid (with the review list) when the note is missing."""
    await require(actor.user, MAY_OVERSIGHT_AUDIT)
    grant = await BreakGlass.get_or_none(id=grant_id, clinic_id=actor.clinic_id)
    if grant is None:
        raise NotFound("break glass")
    if not note.strip() or len(note) > 500:
        # The message belongs to the grant that was submitted, not to every pending one on the list.
        message = "Record what you found (up to 500 characters)."
        raise Invalid({f"review_note_{grant.id}": message}, page=await for_review(actor))
    async with in_transaction():
        await BreakGlass.filter(id=grant.id).update(reviewed_by=actor.user, reviewed_at=actor.now, review_note=note)
        await audit.record(
            actor, access.GLASS_REVIEWED, object_type="break_glass", object_id=grant.id, patient_id=grant.patient_id
        )
    return grant
