"""A care team's short reply to an entry the patient shared (notes/replies.py). Part of the record: signed with the
author's name as it was then, never edited."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from journal.models import JournalEntry
from server.models import User


class EntryReply(Model):
    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient_id = fields.IntField(db_index=True)
    entry: fields.ForeignKeyRelation[JournalEntry] = fields.ForeignKeyField(
        "models.JournalEntry", related_name="replies", on_delete=fields.RESTRICT
    )
    entry_id: int
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="entry_replies", on_delete=fields.RESTRICT
    )
    author_id: int
    signed_as = fields.CharField(max_length=160)  # the author's name and role when they signed it
    body = fields.TextField()
    signed_at = fields.DatetimeField()

    class Meta:
        table = "entry_reply"
        indexes = (("entry_id", "signed_at"),)
