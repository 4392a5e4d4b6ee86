"""Random-sample note reviews: a supervisor draws N signed notes from a period and records what they found."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from tortoise.transactions import in_transaction

from notes.models import IntegrationNote, Status
from oversight import access
from oversight.access import MAY_OVERSIGHT_AUDIT
from oversight.models import NoteReview
from server import audit, once
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.policy import require

OUTCOMES = ("adequate", "needs_improvement", "deficient")


@dataclass(frozen=True)
class Sample:
    """A draw, known by its first review (0 when no note was left to draw)."""

    id: int


async def draw(actor: Actor, key: str, count: int, days: int, errors: dict[str, str] | None = None) -> Sample:
    """Pick `count` signed notes from the last `days` days not sampled before (uniformly at random), once per form
    `key`. A refused form (`errors`, or numbers out of range) raises Invalid with the review list; a note is never
    drawn twice, even by two supervisors drawing at the same moment (the loser gets 409)."""
    await require(actor.user, MAY_OVERSIGHT_AUDIT)
    if (first := await once.repeat(actor, key, "review_sample")) is not None:
        return Sample(first)
    if errors or not 1 <= count <= 50 or not 1 <= days <= 365:
        errors = errors or {"count": "Choose 1–50 notes from the last 1–365 days."}
        raise Invalid(errors, page=await listing(actor))
    return await once.create(
        actor, key, "review_sample", partial(_sample, actor, count, days), _sample_by_id, partial(listing, actor)
    )


async def _sample_by_id(first_review_id: int) -> Sample:
    return Sample(first_review_id)


async def _sample(actor: Actor, count: int, days: int) -> Sample:
    taken = await NoteReview.filter(clinic_id=actor.clinic_id).values_list("note_id", flat=True)
    pool = (
        await IntegrationNote.filter(
            clinic_id=actor.clinic_id,
            status__in=[Status.SIGNED, Status.COSIGNED],
            signed_at__gte=actor.now - timedelta(days=days),
        )
        .exclude(id__in=list(taken))
        .values_list("id", flat=True)
    )
    # Inserted in id order: two draws racing for the same notes then wait on each other's first row and the loser
    # meets the unique constraint (409), instead of each holding a row the other needs (a deadlock on PostgreSQL).
    chosen = sorted(random.SystemRandom().sample(list(pool), min(count, len(pool))))
    async with in_transaction():
        reviews = [
            await NoteReview.create(clinic_id=actor.clinic_id, note_id=n, sampled_by=actor.user, sampled_at=actor.now)
            for n in chosen
        ]
        await audit.record(
            actor,
            access.REVIEW_SAMPLED,
            object_type="clinic",
            object_id=actor.clinic_id,
            detail={"notes": sorted(chosen), "days": days},
        )
    return Sample(reviews[0].id if reviews else 0)


async def listing(actor: Actor) -> list[NoteReview]:
    """The notes drawn for review, unreviewed first; the read is audited with the notes it names."""
    await require(actor.user, MAY_OVERSIGHT_AUDIT)
    reviews = (
        await NoteReview.filter(clinic_id=actor.clinic_id)
        .select_related("note__author", "note__patient__user", "note__infusion")
        .order_by("reviewed_at", "-sampled_at")
        .limit(100)
    )
    where = {"object_type": "clinic", "object_id": actor.clinic_id}
    await audit.record_read(actor, access.REVIEWS_VIEWED, detail={"notes": [r.note_id for r in reviews]}, **where)
    return reviews


async def record(actor: Actor, review_id: int, outcome: str, comment: str) -> None:
    """Record a sampled note's review; Invalid (with the review list) for an unknown outcome."""
    await require(actor.user, MAY_OVERSIGHT_AUDIT)
    review = await NoteReview.get_or_none(id=review_id, clinic_id=actor.clinic_id)
    if review is None:
        raise NotFound("review")
    if outcome not in OUTCOMES or len(comment) > 1000:
        message = "Choose adequate, needs improvement or deficient."
        raise Invalid({"outcome": message}, page=await listing(actor))
    async with in_transaction():
        await NoteReview.filter(id=review.id).update(outcome=outcome, comment=comment, reviewed_at=actor.now)
        await audit.record(
            actor, access.REVIEW_RECORDED, object_type="note", object_id=review.note_id, detail={"outcome": outcome}
        )
