"""Interop's one table: the clinic exports supervisors start from the web, each written in the background by a
worker into var/exports/<id>/ (interop/exports.py)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"


class ExportJob(Model):
    """One clinic export: who asked and when, its progress while a worker writes it (`heartbeat_at` moves after every
    batch of patients), and its counts once complete. Only a complete export's files are ever offered."""

    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    requested_by_id = fields.IntField()
    requested_at = fields.DatetimeField()
    status = fields.CharEnumField(ExportStatus, max_length=16, default=ExportStatus.QUEUED)
    worker = fields.CharField(max_length=80, default="")
    started_at = fields.DatetimeField(null=True)
    heartbeat_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    patients_total = fields.IntField(default=0)
    patients_done = fields.IntField(default=0)
    resources = fields.IntField(default=0)
    counts: fields.Field[dict | None] = fields.JSONField(null=True)  # resource type -> lines, as in the manifest
    error = fields.CharField(max_length=200, default="")

    class Meta:
        table = "fhir_export"
        indexes = (("status", "heartbeat_at"),)  # a stalled export, picked up again

    @property
    def percent(self) -> int:
        return 100 * self.patients_done // self.patients_total if self.patients_total else 0
