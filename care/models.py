"""Care records: patients, care teams, courses, consent, infusions with vitals, measures and risk alerts.

Every row carries clinic_id and every query is scoped by the caller's clinic.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from server.models import Clinic, User


class Protocol(StrEnum):
    IV_INDUCTION = "iv_induction"
    SPRAVATO = "spravato"
    KAP_LOZENGE = "kap_lozenge"
    CUSTOM = "custom"


class CourseStatus(StrEnum):
    ACTIVE = "active"
    MAINTENANCE = "maintenance"
    COMPLETED = "completed"
    STOPPED = "stopped"


OPEN_COURSE = (CourseStatus.ACTIVE, CourseStatus.MAINTENANCE)  # a patient has at most one open course


class ConsentKind(StrEnum):
    OFF_LABEL_KETAMINE = "off_label_ketamine"
    KAP = "kap"
    SPRAVATO_TREATMENT = "spravato_treatment"  # informed consent to esketamine treatment
    SPRAVATO_REMS = "spravato_rems"  # the REMS patient enrolment form


class BpDecision(StrEnum):
    """What the clinician decided about a pre-dose BP above 140/90."""

    PROCEED = "proceed"
    DELAY = "delay"


class Phase(StrEnum):
    PREPARATION = "preparation"
    DOSING = "dosing"
    INTEGRATION = "integration"
    BOOSTER = "booster"


class RouteOfAdmin(StrEnum):
    IV = "iv"
    IM = "im"
    INTRANASAL = "intranasal"
    SUBLINGUAL = "sublingual"


class Agent(StrEnum):
    RACEMIC_KETAMINE = "racemic_ketamine"
    ESKETAMINE = "esketamine"


class Instrument(StrEnum):
    PHQ9 = "PHQ9"
    GAD7 = "GAD7"
    CSSRS = "CSSRS"


class AlertSource(StrEnum):
    PHQ9_ITEM9 = "phq9_item9"
    CSSRS = "cssrs"
    JOURNAL_LANGUAGE = "journal_language"


class Patient(Model):
    id = fields.IntField(primary_key=True)
    clinic: fields.ForeignKeyRelation[Clinic] = fields.ForeignKeyField(
        "models.Clinic", related_name="patients", on_delete=fields.RESTRICT
    )
    clinic_id: int
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="patient", on_delete=fields.RESTRICT
    )
    user_id: int
    mrn = fields.CharField(max_length=32)
    date_of_birth = fields.DateField()
    pronouns = fields.CharField(max_length=40, default="")
    weight_kg = fields.DecimalField(max_digits=5, decimal_places=1)
    created_at = fields.DatetimeField()
    created_by_id = fields.IntField(null=True)

    class Meta:
        table = "patient"
        unique_together = (("clinic", "mrn"),)


class CareTeam(Model):
    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="care_team", on_delete=fields.CASCADE
    )
    patient_id: int
    therapist: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="care_teams", on_delete=fields.RESTRICT
    )
    therapist_id: int
    added_at = fields.DatetimeField()
    added_by_id = fields.IntField(null=True)

    class Meta:
        table = "care_team"
        unique_together = (("patient", "therapist"),)
        indexes = (("therapist_id", "patient_id"),)  # a therapist's caseload


class Course(Model):
    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="courses", on_delete=fields.RESTRICT
    )
    patient_id: int
    indication = fields.CharField(max_length=100, default="Treatment-resistant depression")
    protocol = fields.CharEnumField(Protocol, max_length=20)
    status = fields.CharEnumField(CourseStatus, max_length=20, default=CourseStatus.ACTIVE)
    planned_count = fields.IntField()
    started_on = fields.DateField()
    created_at = fields.DatetimeField()
    created_by_id = fields.IntField(null=True)
    version = fields.IntField(default=1, db_default=1)  # every status change names the version it started from

    class Meta:
        table = "course"
        indexes = (("patient_id", "started_on"),)


class Consent(Model):
    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    course: fields.ForeignKeyRelation[Course] = fields.ForeignKeyField(
        "models.Course", related_name="consents", on_delete=fields.RESTRICT
    )
    course_id: int
    kind = fields.CharEnumField(ConsentKind, max_length=24)
    signed_on = fields.DateField()
    recorded_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="consents_recorded", on_delete=fields.RESTRICT
    )
    recorded_by_id: int
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "consent"
        indexes = (("course_id",),)


class Infusion(Model):
    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    course: fields.ForeignKeyRelation[Course] = fields.ForeignKeyField(
        "models.Course", related_name="infusions", on_delete=fields.RESTRICT
    )
    course_id: int
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="infusions", on_delete=fields.RESTRICT
    )
    patient_id: int
    number = fields.IntField()
    phase = fields.CharEnumField(Phase, max_length=16, default=Phase.DOSING)
    scheduled_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    route = fields.CharEnumField(RouteOfAdmin, max_length=12)
    agent = fields.CharEnumField(Agent, max_length=20)
    dose_mg_per_kg = fields.DecimalField(max_digits=5, decimal_places=3, null=True)
    weight_kg = fields.DecimalField(max_digits=5, decimal_places=1, null=True)
    total_mg = fields.DecimalField(max_digits=7, decimal_places=1, null=True)
    lot_number = fields.CharField(max_length=40, default="")
    administered_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="infusions_administered", null=True, on_delete=fields.RESTRICT
    )
    administered_by_id: int | None
    cadss = fields.IntField(null=True)
    moaas = fields.IntField(null=True)
    adverse_events: fields.Field[list] = fields.JSONField(default=list)
    adverse_other = fields.CharField(max_length=200, default="")
    discharge_ready_at = fields.DatetimeField(null=True)
    escort_confirmed = fields.BooleanField(default=False)
    rems: fields.Field[dict] = fields.JSONField(default=dict)
    # The pre-dose checklist, complete before "dose started" may be set (care/rules.py). The database holds the
    # defaults too, so records made before the checklist existed read as "not recorded".
    pre_dose_systolic = fields.IntField(null=True)
    pre_dose_diastolic = fields.IntField(null=True)
    bp_decision = fields.CharField(max_length=8, default="", db_default="")  # BpDecision when BP is above 140/90
    bp_decision_reason = fields.CharField(max_length=300, default="", db_default="")
    fasting_confirmed = fields.BooleanField(default=False, db_default=False)
    medications_reviewed = fields.BooleanField(default=False, db_default=False)
    high_dose_reason = fields.CharField(max_length=300, default="", db_default="")  # why above 0.75 mg/kg
    created_at = fields.DatetimeField()
    created_by_id = fields.IntField(null=True)
    updated_at = fields.DatetimeField()
    version = fields.IntField(default=1, db_default=1)  # an edit names the version it started from (stale: 409)
    # Signed (after step-up) by the clinician who gave the dose: the record is then locked, and changes only by an
    # amendment with a reason, each version kept (InfusionVersion).
    signed_at = fields.DatetimeField(null=True)
    signed_by_id = fields.IntField(null=True)

    class Meta:
        table = "infusion"
        unique_together = (("course", "number"),)
        # The chart, journal home, prompts and caseload read a patient's infusions by start or schedule time.
        indexes = (("patient_id", "started_at"), ("patient_id", "scheduled_at"))


class InfusionVersion(Model):
    """A signed infusion record as it stood at its signature and after each amendment: who, when and why."""

    id = fields.IntField(primary_key=True)
    infusion: fields.ForeignKeyRelation[Infusion] = fields.ForeignKeyField(
        "models.Infusion", related_name="versions", on_delete=fields.CASCADE
    )
    infusion_id: int
    version = fields.IntField()
    content: fields.Field[dict] = fields.JSONField()  # the record's fields as its form shows them
    saved_at = fields.DatetimeField()
    saved_by_id = fields.IntField()
    reason = fields.CharField(max_length=300)  # "Signed" for the signature; the amendment's reason after it

    class Meta:
        table = "infusion_version"
        unique_together = (("infusion", "version"),)


class VitalSign(Model):
    id = fields.IntField(primary_key=True)
    infusion: fields.ForeignKeyRelation[Infusion] = fields.ForeignKeyField(
        "models.Infusion", related_name="vitals", on_delete=fields.CASCADE
    )
    infusion_id: int
    minute_offset = fields.IntField()  # minutes from dose start; negative = before the dose
    systolic = fields.IntField()
    diastolic = fields.IntField()
    heart_rate = fields.IntField()
    spo2 = fields.IntField()
    recorded_at = fields.DatetimeField()
    recorded_by_id = fields.IntField(null=True)
    # A wrong reading is struck through with a reason, never deleted; struck rows raise no flags.
    struck_at = fields.DatetimeField(null=True)
    struck_by_id = fields.IntField(null=True)
    struck_reason = fields.CharField(max_length=300, default="", db_default="")

    class Meta:
        table = "vital_sign"
        indexes = (("infusion_id", "minute_offset"),)


class MeasureResponse(Model):
    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="measures", on_delete=fields.RESTRICT
    )
    patient_id: int
    instrument = fields.CharEnumField(Instrument, max_length=8)
    answers: fields.Field[dict] = fields.JSONField(default=dict)
    total = fields.IntField()
    severity = fields.CharField(max_length=24)
    item9 = fields.IntField(null=True)
    taken_at = fields.DatetimeField()
    infusion: fields.ForeignKeyNullableRelation[Infusion] = fields.ForeignKeyField(
        "models.Infusion", related_name="measures", null=True, on_delete=fields.SET_NULL
    )
    infusion_id: int | None
    source = fields.CharField(max_length=16)  # self_report | paper | clinician
    entered_by_id = fields.IntField(null=True)

    class Meta:
        table = "measure_response"
        # The second covers the caseload's latest-scores query (no table reads); the third is the infusion page's.
        indexes = (
            ("patient_id", "instrument", "taken_at"),
            ("patient_id", "instrument", "taken_at", "id", "total"),
            ("infusion_id", "taken_at"),
        )


class RiskAlert(Model):
    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="alerts", on_delete=fields.RESTRICT
    )
    patient_id: int
    source = fields.CharEnumField(AlertSource, max_length=20)
    level = fields.CharField(max_length=12)  # moderate | high
    summary = fields.CharField(max_length=200)
    measure: fields.ForeignKeyNullableRelation[MeasureResponse] = fields.ForeignKeyField(
        "models.MeasureResponse", related_name="alerts", null=True, on_delete=fields.SET_NULL
    )
    measure_id: int | None
    source_ref = fields.CharField(max_length=40, default="")  # e.g. "journal_entry:12"
    created_at = fields.DatetimeField()
    acknowledged_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="alerts_acknowledged", null=True, on_delete=fields.RESTRICT
    )
    acknowledged_by_id: int | None
    acknowledged_at = fields.DatetimeField(null=True)
    action_taken = fields.CharField(max_length=500, default="")
    escalated_at = fields.DatetimeField(null=True)
    # Set when a signed integration note's risk assessment addressed this alert (the notes room names the note).
    resolved_by_note_id = fields.IntField(null=True)

    class Meta:
        table = "risk_alert"
        indexes = (("clinic_id", "acknowledged_at"), ("patient_id", "acknowledged_at"))


class BreakGlass(Model):
    """Emergency read access to a patient outside one's care team: time-boxed, reasoned, reviewed (HIPAA)."""

    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="break_glass", on_delete=fields.RESTRICT
    )
    user_id: int
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="break_glass", on_delete=fields.RESTRICT
    )
    patient_id: int
    reason = fields.CharField(max_length=500)
    granted_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    reviewed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="break_glass_reviewed", null=True, on_delete=fields.RESTRICT
    )
    reviewed_by_id: int | None
    reviewed_at = fields.DatetimeField(null=True)
    review_note = fields.CharField(max_length=500, default="")

    class Meta:
        table = "break_glass"
        indexes = (("user_id", "patient_id", "expires_at"),)
