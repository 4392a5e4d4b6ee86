"""The care room's hot reads as compiled queries (server/compiled.py): built by Tortoise once, then run with new
values on every chart, infusion page and permission check. No permission checks or audit here: callers in
care.access and the page services do both."""

from __future__ import annotations

from tortoise.expressions import Subquery

from care.models import CareTeam, Consent, Course, Infusion, MeasureResponse, Patient, RiskAlert, VitalSign
from server import compiled

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

# The infusion page's lists.
VITALS = compiled.query(lambda infusion_id: VitalSign.filter(infusion_id=infusion_id).order_by("minute_offset", "id"))
SESSION_MEASURES = compiled.query(
    lambda infusion_id: MeasureResponse.filter(infusion_id=infusion_id).order_by("taken_at")
)

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
