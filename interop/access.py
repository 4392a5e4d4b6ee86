"""Interop's audit actions. Reading through the FHIR API takes the chart's permission (care.access.get_patient_for),
so it declares no rule of its own; the bulk export runs from the command line only (docs/fhir.md)."""

from __future__ import annotations

from server import audit

PATIENT_EXPORTED = audit.define(
    "fhir.patient_exported",
    "A patient downloaded their record as a FHIR bundle (counts per resource type; which journal entries).",
)
READ = audit.define(
    "fhir.read", "A clinician read a patient's record through the FHIR API (the Patient, or $everything with counts)."
)
BULK_EXPORTED = audit.define(
    "fhir.bulk_exported",
    "A clinic's record was written out as FHIR NDJSON by `fhir-export` (counts per resource type, patients).",
)
