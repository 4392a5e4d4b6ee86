"""Oversight's own records: note reviews drawn by random sample."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from notes.models import IntegrationNote
from server.models import User


class NoteReview(Model):
    """A signed note drawn for quality review, and what the reviewing supervisor found."""

    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    note: fields.ForeignKeyRelation[IntegrationNote] = fields.ForeignKeyField(
        "models.IntegrationNote", related_name="reviews", on_delete=fields.RESTRICT
    )
    note_id: int
    sampled_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="note_reviews", on_delete=fields.RESTRICT
    )
    sampled_by_id: int
    sampled_at = fields.DatetimeField()
    outcome = fields.CharField(max_length=20, default="")  # adequate | needs_improvement | deficient
    comment = fields.CharField(max_length=1000, default="")
    reviewed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "note_review"
        unique_together = (("note",),)  # a note is drawn for review once, even when two supervisors draw at once
