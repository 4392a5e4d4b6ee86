"""Integration notes (progress notes) with signing, addenda and co-signature; process notes kept apart."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from care.models import Infusion, Patient
from server.models import User


class Format(StrEnum):
    DAP = "DAP"
    SOAP = "SOAP"
    BIRP = "BIRP"


class Status(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    COSIGN_PENDING = "cosign_pending"
    RETURNED = "returned"
    COSIGNED = "cosigned"


class IntegrationNote(Model):
    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    infusion: fields.ForeignKeyRelation[Infusion] = fields.ForeignKeyField(
        "models.Infusion", related_name="notes", on_delete=fields.RESTRICT
    )
    infusion_id: int
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="notes", on_delete=fields.RESTRICT
    )
    patient_id: int
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notes_written", on_delete=fields.RESTRICT
    )
    author_id: int
    draft_key = fields.CharField(max_length=64)
    format = fields.CharEnumField(Format, max_length=4, default=Format.DAP)
    kap_phase = fields.CharField(max_length=16, default="integration")
    content: fields.Field[dict] = fields.JSONField(default=dict)  # every section, see notes/content.py
    shared_summary = fields.TextField(default="")
    status = fields.CharEnumField(Status, max_length=16, default=Status.DRAFT)
    version = fields.IntField(default=1)
    signed_at = fields.DatetimeField(null=True)
    signed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notes_signed", null=True, on_delete=fields.RESTRICT
    )
    signed_by_id: int | None
    content_sha256 = fields.CharField(max_length=64, default="")
    cosigned_at = fields.DatetimeField(null=True)
    cosigned_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notes_cosigned", null=True, on_delete=fields.RESTRICT
    )
    cosigned_by_id: int | None
    return_comment = fields.TextField(default="")
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "integration_note"
        unique_together = (("author", "draft_key"),)
        indexes = (("clinic_id", "status"), ("patient_id", "infusion_id"), ("infusion_id", "status"))


class SignedVersion(Model):
    """What was signed, each time (a returned note signed again keeps both versions readable)."""

    id = fields.IntField(primary_key=True)
    note: fields.ForeignKeyRelation[IntegrationNote] = fields.ForeignKeyField(
        "models.IntegrationNote", related_name="signed_versions", on_delete=fields.RESTRICT
    )
    note_id: int
    version = fields.IntField()
    content: fields.Field[dict] = fields.JSONField(default=dict)
    shared_summary = fields.TextField(default="")
    signed_at = fields.DatetimeField()
    signed_by_id = fields.IntField()
    content_sha256 = fields.CharField(max_length=64)
    outcome = fields.CharField(max_length=16, default="")  # "" | returned | cosigned
    outcome_comment = fields.TextField(default="")
    outcome_by_id = fields.IntField(null=True)  # the supervisor who returned or co-signed it

    class Meta:
        table = "note_signed_version"
        indexes = (("note_id", "version"),)


class Addendum(Model):
    id = fields.IntField(primary_key=True)
    note: fields.ForeignKeyRelation[IntegrationNote] = fields.ForeignKeyField(
        "models.IntegrationNote", related_name="addenda", on_delete=fields.RESTRICT
    )
    note_id: int
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="addenda", on_delete=fields.RESTRICT
    )
    author_id: int
    body = fields.TextField()
    signed_at = fields.DatetimeField()
    content_sha256 = fields.CharField(max_length=64)

    class Meta:
        table = "note_addendum"
        indexes = (("note_id", "signed_at"),)


class ProcessNote(Model):
    """Psychotherapy notes (HIPAA): apart from the record, for their author only (and a recorded supervisor)."""

    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="process_notes", on_delete=fields.RESTRICT
    )
    author_id: int
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="process_notes", on_delete=fields.RESTRICT
    )
    patient_id: int
    body = fields.TextField()
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "process_note"
        indexes = (("patient_id", "created_at"),)


class Supervision(Model):
    """A recorded supervision relationship, from `started_at` until `ended_at` (open-ended when None): while it runs
    the supervisor may open the supervisee's process notes, and a trainee's note signed in it waits in this
    supervisor's co-sign queue. Rows are never deleted; ending one sets `ended_at` (notes/supervision.py)."""

    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    supervisor: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="supervisees", on_delete=fields.RESTRICT
    )
    supervisor_id: int
    supervisee: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="supervisors", on_delete=fields.RESTRICT
    )
    supervisee_id: int
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)
    linked_by_id = fields.IntField(null=True)  # who recorded it (None: the demo, or before this was kept)
    ended_by_id = fields.IntField(null=True)  # who ended it from the page (None: still running, or a planned end)

    class Meta:
        table = "supervision"
        indexes = (("supervisee_id", "started_at"), ("supervisor_id", "started_at"))


class SeenMarker(Model):
    """When a clinician last looked at something (e.g. shared journal entries on the dashboard)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="seen_markers", on_delete=fields.CASCADE
    )
    user_id: int
    key = fields.CharField(max_length=40)
    seen_at = fields.DatetimeField()

    class Meta:
        table = "seen_marker"
        unique_together = (("user", "key"),)
