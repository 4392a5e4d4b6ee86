"""What every chart shows first and what dosing depends on: medications, allergies (or "no known allergies"),
diagnoses with ICD-10-CM codes, and the patient's contacts (emergency contact, escort, referring prescriber)
(care/essentials.py). Each row carries its version: an edit names the version it started from."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from care import icd10
from care.models import Patient


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    UNKNOWN = "unknown"


class DiagnosisStatus(StrEnum):
    ACTIVE = "active"
    RESOLVED = "resolved"
    ENTERED_IN_ERROR = "entered_in_error"


class _Item(Model):
    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient_id: int
    created_at = fields.DatetimeField()
    created_by_id = fields.IntField(null=True)
    updated_at = fields.DatetimeField()
    updated_by_id = fields.IntField(null=True)
    version = fields.IntField(default=1, db_default=1)

    class Meta:
        abstract = True


class Medication(_Item):
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="medications", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=120)
    dose = fields.CharField(max_length=60, default="")
    frequency = fields.CharField(max_length=60, default="")
    prescriber = fields.CharField(max_length=120, default="")
    started_on = fields.DateField(null=True)
    stopped_on = fields.DateField(null=True)  # a stopped medication stays on the record
    entered_in_error = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "medication"
        indexes = (("patient_id",),)


class Allergy(_Item):
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="allergies", on_delete=fields.RESTRICT
    )
    substance = fields.CharField(max_length=120)
    reaction = fields.CharField(max_length=200, default="")
    severity = fields.CharEnumField(Severity, max_length=16, default=Severity.UNKNOWN)
    active = fields.BooleanField(default=True, db_default=True)  # False: no longer applies, or entered in error

    class Meta:
        table = "allergy"
        indexes = (("patient_id",),)


class Diagnosis(_Item):
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="diagnoses", on_delete=fields.RESTRICT
    )
    code = fields.CharField(max_length=10)  # ICD-10-CM, one of care/icd10.py's subset
    noted_on = fields.DateField(null=True)
    status = fields.CharEnumField(DiagnosisStatus, max_length=20, default=DiagnosisStatus.ACTIVE)

    class Meta:
        table = "diagnosis"
        indexes = (("patient_id",),)

    @property
    def title(self) -> str:
        return icd10.title(self.code)


class ChartProfile(Model):
    """One per patient: the allergy state ("no known allergies" is said, never assumed from an empty list) and the
    people the clinic calls: the emergency contact, the escort home after a dose, the referring prescriber."""

    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient: fields.OneToOneRelation[Patient] = fields.OneToOneField(
        "models.Patient", related_name="chart_profile", on_delete=fields.RESTRICT
    )
    patient_id: int
    no_known_allergies = fields.BooleanField(default=False, db_default=False)
    allergies_reviewed_at = fields.DatetimeField(null=True)
    allergies_reviewed_by_id = fields.IntField(null=True)
    emergency_name = fields.CharField(max_length=120, default="", db_default="")
    emergency_relationship = fields.CharField(max_length=60, default="", db_default="")
    emergency_phone = fields.CharField(max_length=40, default="", db_default="")
    escort_name = fields.CharField(max_length=120, default="", db_default="")
    escort_phone = fields.CharField(max_length=40, default="", db_default="")
    referrer_name = fields.CharField(max_length=120, default="", db_default="")
    referrer_contact = fields.CharField(max_length=200, default="", db_default="")
    updated_at = fields.DatetimeField()
    updated_by_id = fields.IntField(null=True)
    version = fields.IntField(default=1, db_default=1)

    class Meta:
        table = "chart_profile"


class SafetyPlan(Model):
    """Stanley-Brown's safety plan, written by the therapist with the patient: six steps, each a list of lines
    (care/safety_plan.py). The patient adds coping steps of their own (SafetyPlanStep)."""

    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient: fields.OneToOneRelation[Patient] = fields.OneToOneField(
        "models.Patient", related_name="safety_plan", on_delete=fields.RESTRICT
    )
    patient_id: int
    warning_signs = fields.TextField()
    coping = fields.TextField()
    distractions = fields.TextField()
    helpers = fields.TextField()
    professionals = fields.TextField()
    environment = fields.TextField()
    updated_at = fields.DatetimeField()
    updated_by_id = fields.IntField(null=True)
    version = fields.IntField(default=1, db_default=1)

    class Meta:
        table = "safety_plan"


class SafetyPlanStep(Model):
    """A coping step the patient added to their own plan (step 2), kept beside the therapist's."""

    id = fields.IntField(primary_key=True)
    plan: fields.ForeignKeyRelation[SafetyPlan] = fields.ForeignKeyField(
        "models.SafetyPlan", related_name="own_steps", on_delete=fields.RESTRICT
    )
    plan_id: int
    text = fields.CharField(max_length=200)
    added_at = fields.DatetimeField()

    class Meta:
        table = "safety_plan_step"
        indexes = (("plan_id", "added_at"),)
