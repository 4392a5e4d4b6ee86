"""The care room's hot reads as compiled queries (server/compiled.py): built by Tortoise once, then run with new
values on every chart, infusion page and permission check. No permission checks or audit here: callers in
care.access and the page services do both."""

from __future__ import annotations

from tortoise.expressions import Subquery

from care.chart_models import Allergy, ChartProfile, Diagnosis, Medication
from care.models import CareTeam, Consent, Course, Infusion, MeasureResponse, Patient, RiskAlert, VitalSign
from server import compiled, compiled_together
from server.models import Role, User

PATIENT = compiled.query(
    lambda patient_id, clinic_id: Patient.filter(id=patient_id, clinic_id=clinic_id).select_related("user").limit(1)
)
# With `on_team`: whether `user_id` is on the patient's care team (the permission check needs no statement of its own).
INFUSION = compiled.query(
    lambda infusion_id, clinic_id, user_id: (
        Infusion.filter(id=infusion_id, clinic_id=clinic_id)
        .annotate(
            on_team=Subquery(
                CareTeam.filter(patient_id=compiled.column(Infusion, "patient_id"), therapist_id=user_id)
                .limit(1)
                .values("id")
            )
        )
        .select_related("patient__user", "course", "administered_by")
        .limit(1)
    )
)
CARE_TEAM = compiled.query(
    lambda patient_id: CareTeam.filter(patient_id=patient_id).select_related("therapist").order_by("added_at", "id")
)
# A permission-checked patient lookup: the patient and their care team (who may see them) in one statement.
_TEAM_IN_CLINIC = compiled.query(
    lambda patient_id, clinic_id: (
        CareTeam.filter(patient_id=patient_id, clinic_id=clinic_id)
        .select_related("therapist")
        .order_by("added_at", "id")
    )
)
PATIENT_AND_TEAM = compiled_together.together(PATIENT, _TEAM_IN_CLINIC)

# The chart's lists.
COURSES = compiled.query(lambda patient_id: Course.filter(patient_id=patient_id).order_by("-started_on"))
CONSENTS = compiled.query(
    lambda patient_id: Consent.filter(course__patient_id=patient_id).select_related("recorded_by").order_by("signed_on")
)
INFUSIONS = compiled.query(lambda patient_id: Infusion.filter(patient_id=patient_id).order_by("scheduled_at"))
MEASURES = compiled.query(lambda patient_id: MeasureResponse.filter(patient_id=patient_id).order_by("taken_at"))
ALERTS = compiled.query(
    lambda patient_id: RiskAlert.filter(patient_id=patient_id).select_related("acknowledged_by").order_by("-created_at")
)

# Who may join a care team (the chart of someone who manages care teams offers them).
TEAM_CANDIDATES = compiled.query(
    lambda clinic_id: User.filter(
        clinic_id=clinic_id, role__in=[Role.MEDICAL, Role.THERAPIST], disabled_at__isnull=True
    ).order_by("name")
)

# The chart's essentials (care/essentials.py), read together.
MEDICATIONS = compiled.query(lambda patient_id: Medication.filter(patient_id=patient_id).order_by("stopped_on", "name"))
ALLERGIES = compiled.query(lambda patient_id: Allergy.filter(patient_id=patient_id).order_by("-active", "substance"))
DIAGNOSES = compiled.query(lambda patient_id: Diagnosis.filter(patient_id=patient_id).order_by("status", "code"))
PROFILE = compiled.query(lambda patient_id: ChartProfile.filter(patient_id=patient_id).limit(1))
ESSENTIALS = compiled_together.together(MEDICATIONS, ALLERGIES, DIAGNOSES, PROFILE)

# The infusion page's lists.
VITALS = compiled.query(lambda infusion_id: VitalSign.filter(infusion_id=infusion_id).order_by("minute_offset", "id"))
SESSION_MEASURES = compiled.query(
    lambda infusion_id: MeasureResponse.filter(infusion_id=infusion_id).order_by("taken_at")
)
# The infusion page's own two lists, one statement.
SESSION_LISTS = compiled_together.together(VITALS, SESSION_MEASURES)

# A patient's own profile (every page a patient opens).
OWN_PATIENT = compiled.query(lambda user_id: Patient.filter(user_id=user_id).select_related("user").limit(1))
# The patient's sessions begun: the latest one, and those begun in a time range (the journal's prompts).
LATEST_GIVEN = compiled.query(
    lambda patient_id: (
        Infusion.filter(patient_id=patient_id, started_at__not_isnull=True).order_by("-started_at").limit(1)
    )
)
GIVEN_BETWEEN = compiled.query(
    lambda patient_id, since, until: Infusion.filter(
        patient_id=patient_id, started_at__gte=since, started_at__lte=until
    )
)
