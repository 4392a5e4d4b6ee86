"""The seeded clinic's chart essentials and safety plans (benchmarks/seed.py), so the FHIR export at scale writes
every resource type."""

from __future__ import annotations

from datetime import datetime, timedelta

from care.chart_models import Allergy, ChartProfile, Diagnosis, Medication, SafetyPlan

BATCH = 2000
MEDICATIONS = (("Sertraline", "100 mg"), ("Bupropion XL", "150 mg"), ("Lamotrigine", "100 mg"), ("Lorazepam", "1 mg"))
DIAGNOSES = ("F33.1", "F33.2", "F41.1", "F43.10", "F32.9")


async def chart(clinic_id: int, patient_ids: list[int], therapist_ids: list[int], now: datetime) -> int:
    """Per patient: two diagnoses, three medications (one stopped), an allergy or "no known allergies"; a safety
    plan for every fourth patient."""
    diagnoses: list[Diagnosis] = []
    medications: list[Medication] = []
    allergies: list[Allergy] = []
    profiles: list[ChartProfile] = []
    plans: list[SafetyPlan] = []
    for i, p in enumerate(patient_ids):
        row = {"clinic_id": clinic_id, "patient_id": p, "created_at": now, "updated_at": now}
        by = therapist_ids[i % len(therapist_ids)]
        diagnoses += [Diagnosis(**row, created_by_id=by, code=DIAGNOSES[(i + k) % len(DIAGNOSES)]) for k in (0, 2)]
        for k in range(3):
            name, dose = MEDICATIONS[(i + k) % len(MEDICATIONS)]
            stopped = (now - timedelta(days=30)).date() if k == 2 else None
            medications.append(Medication(**row, name=name, dose=dose, frequency="daily", stopped_on=stopped))
        if i % 3:
            allergies.append(
                Allergy(**row, created_by_id=by, substance="Penicillin", reaction="Hives", severity="mild")
            )
        else:
            profiles.append(ChartProfile(clinic_id=clinic_id, patient_id=p, no_known_allergies=True, updated_at=now))
        if i % 4 == 0:
            steps = dict.fromkeys(("warning_signs", "coping", "distractions", "helpers", "professionals"), "A line")
            plans.append(
                SafetyPlan(clinic_id=clinic_id, patient_id=p, environment="Lock away", updated_at=now, **steps)
            )
    await Diagnosis.bulk_create(diagnoses, batch_size=BATCH)
    await Medication.bulk_create(medications, batch_size=BATCH)
    await Allergy.bulk_create(allergies, batch_size=BATCH)
    await ChartProfile.bulk_create(profiles, batch_size=BATCH)
    await SafetyPlan.bulk_create(plans, batch_size=BATCH)
    return len(diagnoses) + len(medications) + len(allergies) + len(profiles) + len(plans)
