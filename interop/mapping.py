"""Afterglow's record as FHIR R4 resources (plain dicts, JSON-ready): people, sessions, doses, vitals and consent.

One function per resource kind, each taking rows already loaded (interop/record.py loads them in a fixed number of
queries per batch of patients) and returning resources; none queries the database. Codes come from interop/codes.py.
Questionnaires are in interop/measures.py and documents (notes, journal entries, signatures) in
interop/documents.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from care.models import Consent, Course, Infusion, Patient, VitalSign
from interop import codes
from server.models import Clinic, User

Resource = dict[str, Any]


def ref(kind: str, id_: object) -> dict[str, str]:
    return {"reference": f"{kind}/{id_}"}


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def day(value: date) -> str:
    return value.isoformat()


def concept(*codings: codes.Coding, text: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {"coding": list(codings)} if codings else {}
    if text:
        found["text"] = text
    return found


def quantity(value: int | float | Decimal, unit: str, code: str) -> dict[str, Any]:
    number = float(value) if isinstance(value, Decimal) else value
    return {"value": number, "unit": unit, "system": codes.UCUM, "code": code}


def organization(clinic: Clinic) -> Resource:
    return {"resourceType": "Organization", "id": str(clinic.id), "active": True, "name": clinic.name}


def practitioner(user: User) -> Resource:
    """Staff as Practitioner: their name only (email and role stay in Afterglow)."""
    return {"resourceType": "Practitioner", "id": str(user.id), "name": [{"text": user.name}]}


def patient(row: Patient, clinic: Clinic) -> Resource:
    return {
        "resourceType": "Patient",
        "id": str(row.id),
        "identifier": [
            {
                "use": "usual",
                "type": concept(text="Medical record number"),
                "system": codes.MRN,
                "value": row.mrn,
                "assigner": {**ref("Organization", clinic.id), "display": clinic.name},
            }
        ],
        "active": row.user.disabled_at is None,
        "name": [{"text": row.user.name}],
        "birthDate": day(row.date_of_birth),
        "managingOrganization": ref("Organization", clinic.id),
    }


def _encounter_status(infusion: Infusion) -> str:
    if infusion.ended_at is not None:
        return "finished"
    return "in-progress" if infusion.started_at is not None else "planned"


def encounter(infusion: Infusion, course: Course) -> Resource:
    """One Encounter per session (preparation, dosing, integration or booster)."""
    found: Resource = {
        "resourceType": "Encounter",
        "id": str(infusion.id),
        "status": _encounter_status(infusion),
        "class": codes.AMBULATORY,
        "type": [concept(text=f"Ketamine treatment session ({infusion.phase}), number {infusion.number} in course")],
        "subject": ref("Patient", infusion.patient_id),
        "reasonCode": [concept(text=course.indication)],
        "period": {"start": instant(infusion.started_at or infusion.scheduled_at)},
    }
    if infusion.ended_at is not None:
        found["period"]["end"] = instant(infusion.ended_at)
    if infusion.administered_by_id is not None:
        found["participant"] = [{"individual": ref("Practitioner", infusion.administered_by_id)}]
    return found


def _dose_text(infusion: Infusion) -> str:
    parts = []
    if infusion.dose_mg_per_kg is not None:
        parts.append(f"{infusion.dose_mg_per_kg} mg/kg")
    if infusion.weight_kg is not None:
        parts.append(f"weight {infusion.weight_kg} kg")
    if infusion.total_mg is not None:
        parts.append(f"total {infusion.total_mg} mg")
    return ", ".join(parts)


def medication_administration(infusion: Infusion) -> list[Resource]:
    """The dose given in a session (none before the dose started). The lot number lives on a contained Medication,
    where R4 keeps it (Medication.batch.lotNumber)."""
    if infusion.started_at is None:
        return []
    drug = codes.ESKETAMINE if infusion.agent == "esketamine" else codes.KETAMINE
    medication: Resource = {"resourceType": "Medication", "id": "med", "code": concept(drug, text=drug["display"])}
    if infusion.lot_number:
        medication["batch"] = {"lotNumber": infusion.lot_number}
    dosage: Resource = {"route": concept(codes.ROUTES[infusion.route], text=str(infusion.route))}
    if infusion.total_mg is not None:
        dosage["dose"] = quantity(infusion.total_mg, "mg", "mg")
    if text := _dose_text(infusion):
        dosage["text"] = text
    found: Resource = {
        "resourceType": "MedicationAdministration",
        "id": str(infusion.id),
        "contained": [medication],
        "status": "completed" if infusion.ended_at is not None else "in-progress",
        "medicationReference": {"reference": "#med"},
        "subject": ref("Patient", infusion.patient_id),
        "context": ref("Encounter", infusion.id),
        "effectivePeriod": {"start": instant(infusion.started_at)},
        "dosage": dosage,
    }
    if infusion.ended_at is not None:
        found["effectivePeriod"]["end"] = instant(infusion.ended_at)
    if infusion.administered_by_id is not None:
        found["performer"] = [{"actor": ref("Practitioner", infusion.administered_by_id)}]
    return [found]


def _observation(
    id_: str, infusion: Infusion, category: codes.Coding, code: dict[str, Any], at: datetime, status: str = "final"
) -> Resource:
    return {
        "resourceType": "Observation",
        "id": id_,
        "status": status,
        "category": [concept(category)],
        "code": code,
        "subject": ref("Patient", infusion.patient_id),
        "encounter": ref("Encounter", infusion.id),
        "effectiveDateTime": instant(at),
    }


def vitals(infusion: Infusion, row: VitalSign) -> list[Resource]:
    """One row of readings as the three vital-sign Observations (blood pressure panel, heart rate, SpO2). A reading
    struck through as wrong is exported as entered-in-error, never dropped."""
    start = infusion.started_at
    at = start + timedelta(minutes=row.minute_offset) if start is not None else row.recorded_at
    status = "entered-in-error" if row.struck_at is not None else "final"
    bp = _observation(f"bp-{row.id}", infusion, codes.VITAL_SIGNS_CATEGORY, concept(codes.BP_PANEL), at, status)
    bp["component"] = [
        {"code": concept(codes.SYSTOLIC), "valueQuantity": quantity(row.systolic, "mmHg", "mm[Hg]")},
        {"code": concept(codes.DIASTOLIC), "valueQuantity": quantity(row.diastolic, "mmHg", "mm[Hg]")},
    ]
    hr = _observation(f"hr-{row.id}", infusion, codes.VITAL_SIGNS_CATEGORY, concept(codes.HEART_RATE), at, status)
    hr["valueQuantity"] = quantity(row.heart_rate, "beats/minute", "/min")
    spo2_code = concept(codes.SPO2, codes.SPO2_ALSO)
    spo2 = _observation(f"spo2-{row.id}", infusion, codes.VITAL_SIGNS_CATEGORY, spo2_code, at, status)
    spo2["valueQuantity"] = quantity(row.spo2, "%", "%")
    for reading in (bp, hr, spo2):
        reading["note"] = [{"text": f"{row.minute_offset} minutes from the dose"}]
    return [bp, hr, spo2]


def session_scores(infusion: Infusion) -> list[Resource]:
    """CADSS (dissociation) and MOAA/S (sedation, 5 awake ... 0 unresponsive) as recorded for the session."""
    at = infusion.ended_at or infusion.started_at or infusion.scheduled_at
    found = []
    if infusion.cadss is not None:
        cadss = _observation(f"cadss-{infusion.id}", infusion, codes.SURVEY_CATEGORY, concept(codes.CADSS), at)
        cadss["valueInteger"] = infusion.cadss
        found.append(cadss)
    if infusion.moaas is not None:
        moaas = _observation(f"moaas-{infusion.id}", infusion, codes.EXAM_CATEGORY, concept(codes.MOAAS), at)
        moaas["valueInteger"] = infusion.moaas
        found.append(moaas)
    return found


def consent(row: Consent, course: Course, clinic_id: int) -> Resource:
    kind = codes.CONSENT_KINDS[str(row.kind)]
    return {
        "resourceType": "Consent",
        "id": str(row.id),
        "status": "active",
        "scope": concept(codes.TREATMENT_SCOPE),
        "category": [concept(codes.CONSENT_DOCUMENT), concept(kind, text=kind["display"])],
        "patient": ref("Patient", course.patient_id),
        "dateTime": day(row.signed_on),
        "performer": [ref("Patient", course.patient_id)],
        "organization": [ref("Organization", clinic_id)],
        "policyRule": concept(codes.OPT_IN),
    }


def infusion_provenance(infusion: Infusion) -> list[Resource]:
    """The dosing clinician's signature on the infusion record (it is locked from then on)."""
    if infusion.signed_at is None or infusion.signed_by_id is None:
        return []
    targets = [ref("Encounter", infusion.id)]
    if infusion.started_at is not None:
        targets.append(ref("MedicationAdministration", infusion.id))
    return [
        signature_provenance(
            f"infusion-{infusion.id}",
            targets,
            infusion.signed_at,
            [(codes.AUTHOR, infusion.signed_by_id, infusion.signed_at)],
        )
    ]


def signature_provenance(
    id_: str, targets: list[dict[str, str]], at: datetime, signers: list[tuple[codes.Coding, int, datetime]]
) -> Resource:
    """A Provenance naming who signed what and when: the author, then a verifier when a supervisor co-signed."""
    signature_type = {
        codes.AUTHOR["code"]: codes.AUTHOR_SIGNATURE,
        codes.VERIFIER["code"]: codes.VERIFICATION_SIGNATURE,
    }
    return {
        "resourceType": "Provenance",
        "id": id_,
        "target": targets,
        "recorded": instant(at),
        "agent": [{"type": concept(role), "who": ref("Practitioner", who)} for role, who, _ in signers],
        "signature": [
            {"type": [signature_type[role["code"]]], "when": instant(when), "who": ref("Practitioner", who)}
            for role, who, when in signers
        ],
    }
