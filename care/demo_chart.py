"""Demo chart essentials (care/demo.py runs it once the patients exist): medications (one with lamotrigine, to show an
interaction flag), allergies (penicillin; "no known allergies"), diagnoses, contacts, and the demo patient's safety
plan.

Casey Morgan (patient@demo.clinic) is the demo therapist's patient and the one the walkthrough (and the browser test
of issue 18) fills in: her allergies, her depressive diagnosis and her emergency contact are left for the therapist
to record, so recording "no known allergies", adding F33.2 and an emergency contact mean something on a fresh
demo. She comes with what the clinic would know at referral: her sertraline, her generalized anxiety, her escort
and her referring prescriber, and the safety plan written with her at intake.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from care.chart_models import Allergy, ChartProfile, Diagnosis, Medication, SafetyPlan, Severity
from care.models import Patient
from server.models import User

# MRN -> (medications: name, dose, frequency, prescriber, started on), allergies (substance, reaction, severity) or
# None for "no known allergies", diagnoses (ICD-10-CM), the chart profile's contacts.
Chart = tuple[list[tuple[str, str, str, str, date]], list[tuple[str, str, Severity]] | None, list[str], dict[str, str]]
CHARTS: dict[str, Chart] = {
    "DC-1001": (
        [("Sertraline", "100 mg", "once daily", "Dr Lena Park", date(2025, 3, 1))],
        [],  # not recorded yet: the walkthrough records "no known allergies"
        ["F41.1"],
        {
            "escort_name": "Alex Morgan",
            "escort_phone": "555-0102",
            "referrer_name": "Dr Lena Park (psychiatry)",
            "referrer_contact": "Riverside Psychiatry, 555-0150",
        },
    ),
    "DC-1002": (
        [
            ("Sertraline", "150 mg", "once daily", "Dr Omar Reyes", date(2024, 9, 15)),
            ("Lamotrigine", "100 mg", "twice daily", "Dr Omar Reyes", date(2025, 6, 1)),
        ],
        [("Penicillin", "hives", Severity.MODERATE)],
        ["F33.1"],
        {
            "emergency_name": "Kim Chen",
            "emergency_relationship": "partner",
            "emergency_phone": "555-0111",
            "escort_name": "Kim Chen",
            "escort_phone": "555-0111",
            "referrer_name": "Dr Omar Reyes (primary care)",
            "referrer_contact": "555-0160",
        },
    ),
    "OC-2001": (
        [("Sertraline", "50 mg", "once daily", "Dr Ada Novak", date(2025, 1, 10))],
        None,
        ["F33.2"],
        {"emergency_name": "Ray Fox", "emergency_relationship": "brother", "emergency_phone": "555-0210"},
    ),
}
PLAN = {  # Casey's, written with her therapist at intake (Stanley-Brown's six steps)
    "warning_signs": "Lying awake past 3 am\nCancelling plans with friends\nThinking I'm a burden",
    "coping": "Walk the loop by the river\nBox breathing, 4 counts each\nA hot shower and music",
    "distractions": "The library café on Main St\nCall Alex to watch a film",
    "helpers": "Alex Morgan 555-0102\nMy friend Lou 555-0133",
    "professionals": "Demo Clinic 555-0100 (weekdays 8-6)\nSam Okafor, my therapist\n988 (call or text)",
    "environment": "Alex keeps the spare medication\nNo alcohol at home during treatment",
}


async def seed(users: dict[str, User]) -> list[str]:
    for mrn, (medications, allergies, diagnoses, contacts) in CHARTS.items():
        patient = await Patient.get(mrn=mrn)
        therapist = await User.get(care_teams__patient_id=patient.id, role="therapist")
        at = patient.created_at
        stamp: dict[str, Any] = {
            "clinic_id": patient.clinic_id,
            "patient_id": patient.id,
            "created_at": at,
            "created_by_id": therapist.id,
            "updated_at": at,
            "updated_by_id": therapist.id,
        }
        async with in_transaction():
            for name, dose, frequency, prescriber, started in medications:
                await Medication.create(
                    name=name, dose=dose, frequency=frequency, prescriber=prescriber, started_on=started, **stamp
                )
            for substance, reaction, severity in allergies or []:
                await Allergy.create(substance=substance, reaction=reaction, severity=severity, **stamp)
            for code in diagnoses:
                await Diagnosis.create(code=code, noted_on=at.date(), **stamp)
            await _profile(patient, therapist, at, allergies is None, contacts)
            if patient.user_id == users["patient@demo.clinic"].id:
                plan: dict[str, Any] = {"clinic_id": patient.clinic_id, "patient_id": patient.id, **PLAN}
                await SafetyPlan.create(updated_at=at, updated_by_id=therapist.id, **plan)
    return [
        "Each demo patient has medications (Riley Chen's lamotrigine shows an interaction flag), allergies or"
        " \u201cno known allergies\u201d, diagnoses and contacts; Casey Morgan has a safety plan."
    ]


async def _profile(patient: Patient, by: User, at: datetime, nka: bool, contacts: dict[str, str]) -> None:
    columns: dict[str, Any] = {"no_known_allergies": nka, **contacts}
    if nka:
        columns |= {"allergies_reviewed_at": at + timedelta(minutes=5), "allergies_reviewed_by_id": by.id}
    await ChartProfile.create(
        clinic_id=patient.clinic_id, patient_id=patient.id, updated_at=at, updated_by_id=by.id, **columns
    )
