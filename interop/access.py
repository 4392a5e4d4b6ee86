"""Interop's rule and audit actions. Reading through the FHIR API takes the chart's permission
(care.access.get_patient_for), so it declares no rule of its own; the clinic export is the supervisors' (from
oversight) or whoever runs `python -m server fhir-export` (docs/fhir.md)."""

from __future__ import annotations

from typing import Any

from server import audit
from server.models import Role, User
from server.policy import Rule

PATIENT_EXPORTED = audit.define(
    "fhir.patient_exported",
    "A patient downloaded their record as a FHIR bundle (counts per resource type; which journal entries).",
)
READ = audit.define(
    "fhir.read", "A clinician read a patient's record through the FHIR API (the Patient, or $everything with counts)."
)
BULK_EXPORTED = audit.define(
    "fhir.bulk_exported",
    "A clinic's record was written out as FHIR NDJSON, by `fhir-export` or an export a supervisor started (counts).",
)
EXPORT_FAILED = audit.define(
    "fhir.bulk_export_failed", "An export a supervisor started failed or stopped; its files were deleted."
)
EXPORT_REFUSED = audit.define(
    "fhir.bulk_export_refused", "Starting a clinic export was refused: the supervisor's password was wrong."
)
EXPORT_DOWNLOADED = audit.define(
    "fhir.export_downloaded", "A supervisor downloaded one file (NDJSON or manifest) of a complete clinic export."
)


def _may_export(user: User, _obj: Any) -> bool:
    return user.role == Role.SUPERVISOR


MAY_EXPORT = Rule(
    "fhir.export",
    "Export the clinic's record as FHIR NDJSON, and download the files of its complete exports: supervisors.",
    _may_export,
)
