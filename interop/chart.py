"""The chart's essentials as FHIR R4: diagnoses as Condition (ICD-10-CM), current and past medications as
MedicationStatement, allergies (or a recorded "no known allergies") as AllergyIntolerance, and the safety plan as a
CarePlan. Shapes follow US Core where the data allows; none of these functions queries the database."""

from __future__ import annotations

import html
import re
from datetime import date

from care.chart_models import (
    Allergy,
    ChartProfile,
    Diagnosis,
    DiagnosisStatus,
    Medication,
    SafetyPlan,
    SafetyPlanStep,
    Severity,
)
from care.safety_plan import STEPS
from interop import codes
from interop.mapping import Resource, concept, day, instant, ref

XHTML = "http://www.w3.org/1999/xhtml"


def condition(row: Diagnosis) -> Resource:
    """A diagnosis on the problem list. One entered in error keeps its code and says so, with no clinical status
    (FHIR R4 con-5)."""
    found: Resource = {
        "resourceType": "Condition",
        "id": str(row.id),
        "category": [concept(codes.PROBLEM_LIST_ITEM)],
        "code": concept(codes.CONDITIONS[row.code], text=row.title)
        if row.code in codes.CONDITIONS
        else concept(text=row.code),
        "subject": ref("Patient", row.patient_id),
        "recordedDate": day(row.noted_on) if row.noted_on else instant(row.created_at),
    }
    if row.status == DiagnosisStatus.ENTERED_IN_ERROR:
        found["verificationStatus"] = concept(codes.CONDITION_IN_ERROR)
    else:
        active = row.status == DiagnosisStatus.ACTIVE
        found["clinicalStatus"] = concept(codes.CONDITION_ACTIVE if active else codes.CONDITION_RESOLVED)
        found["verificationStatus"] = concept(codes.CONFIRMED)
    if row.created_by_id is not None:
        found["recorder"] = ref("Practitioner", row.created_by_id)
    return found


def _ingredient(name: str) -> codes.Coding | None:
    """The RxNorm ingredient whose generic name is a whole word (or words) of the medication's name, if shipped."""
    words = " ".join(re.findall(r"[a-z]+", name.lower()))
    for generic, coding in codes.RXNORM_INGREDIENTS.items():
        if re.search(rf"\b{re.escape(generic)}\b", words):
            return coding
    return None


def _medication_status(row: Medication, today: date) -> str:
    if row.entered_in_error:
        return "entered-in-error"
    return "completed" if row.stopped_on is not None and row.stopped_on <= today else "active"


def medication_statement(row: Medication, today: date) -> Resource:
    """A medication the patient takes or took: the name as typed (and its RxNorm ingredient when known), the dose
    and frequency as dosage text, the period from start to stop."""
    ingredient = _ingredient(row.name)
    found: Resource = {
        "resourceType": "MedicationStatement",
        "id": str(row.id),
        "status": _medication_status(row, today),
        "medicationCodeableConcept": concept(*([ingredient] if ingredient else []), text=row.name),
        "subject": ref("Patient", row.patient_id),
        "dateAsserted": instant(row.created_at),
    }
    period = {k: day(v) for k, v in (("start", row.started_on), ("end", row.stopped_on)) if v is not None}
    if period:
        found["effectivePeriod"] = period
    if text := " ".join(part for part in (row.dose, row.frequency) if part):
        found["dosage"] = [{"text": text}]
    if row.prescriber:
        found["note"] = [{"text": f"Prescriber: {row.prescriber}"}]
    return found


def allergy(row: Allergy) -> Resource:
    """An allergy or intolerance: the substance as text, the reaction and its severity when recorded. One that no
    longer applies (or was entered in error: Afterglow keeps them apart from neither) is inactive."""
    found: Resource = {
        "resourceType": "AllergyIntolerance",
        "id": str(row.id),
        "clinicalStatus": concept(codes.ALLERGY_ACTIVE if row.active else codes.ALLERGY_INACTIVE),
        "code": concept(text=row.substance),
        "patient": ref("Patient", row.patient_id),
        "recordedDate": instant(row.created_at),
    }
    if row.active:
        found["verificationStatus"] = concept(codes.ALLERGY_CONFIRMED)
    if row.created_by_id is not None:
        found["recorder"] = ref("Practitioner", row.created_by_id)
    severity = str(row.severity)
    if row.reaction or severity != Severity.UNKNOWN:
        reaction: Resource = {"manifestation": [concept(text=row.reaction or "Reaction not described")]}
        if severity != Severity.UNKNOWN:
            reaction["severity"] = severity  # mild | moderate | severe: the same three words in FHIR
        found["reaction"] = [reaction]
    return found


def no_known_allergies(profile: ChartProfile) -> Resource:
    """ "No known allergies", said by a clinician (never assumed from an empty list): SNOMED CT 716186003."""
    found: Resource = {
        "resourceType": "AllergyIntolerance",
        "id": f"nka-{profile.patient_id}",
        "clinicalStatus": concept(codes.ALLERGY_ACTIVE),
        "verificationStatus": concept(codes.ALLERGY_CONFIRMED),
        "code": concept(codes.NO_KNOWN_ALLERGY, text="No known allergies"),
        "patient": ref("Patient", profile.patient_id),
        "recordedDate": instant(profile.allergies_reviewed_at or profile.updated_at),
    }
    if profile.allergies_reviewed_by_id is not None:
        found["recorder"] = ref("Practitioner", profile.allergies_reviewed_by_id)
    return found


def plan_steps(plan: SafetyPlan, own: list[SafetyPlanStep]) -> list[tuple[str, list[str]]]:
    """The plan's six steps in order, as (heading, lines); the patient's own coping steps join step 2."""
    found = []
    for name, heading, _hint in STEPS:
        lines = [line for line in str(getattr(plan, name)).splitlines() if line.strip()]
        if name == "coping":
            lines += [f"{step.text} (added by me)" for step in own]
        found.append((heading, lines))
    return found


def _narrative(steps: list[tuple[str, list[str]]]) -> str:
    parts = []
    for heading, lines in steps:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        parts.append(f"<h3>{html.escape(heading)}</h3>" + (f"<ul>{items}</ul>" if items else "<p>(empty)</p>"))
    return f'<div xmlns="{XHTML}"><h2>Safety plan</h2>{"".join(parts)}</div>'


def care_plan(plan: SafetyPlan, own: list[SafetyPlanStep]) -> Resource:
    """The safety plan as a CarePlan the patient can read: the six Stanley-Brown steps as the narrative and as one
    activity each (status unknown: Afterglow does not track whether a step was used)."""
    steps = plan_steps(plan, own)
    found: Resource = {
        "resourceType": "CarePlan",
        "id": str(plan.id),
        "meta": {"lastUpdated": instant(plan.updated_at)},
        "text": {"status": "generated", "div": _narrative(steps)},
        "status": "active",
        "intent": "plan",
        "category": [concept(codes.ASSESS_PLAN), concept(codes.SAFETY_PLAN, text="Safety plan")],
        "title": "Safety plan",
        "description": "Stanley-Brown Safety Planning Intervention, written by the therapist with the patient",
        "subject": ref("Patient", plan.patient_id),
        "activity": [
            {"detail": {"status": "unknown", "code": concept(text=heading), "description": "\n".join(lines)}}
            for heading, lines in steps
            if lines
        ],
    }
    if plan.updated_by_id is not None:
        found["author"] = ref("Practitioner", plan.updated_by_id)
    return found
