"""PHQ-9 and GAD-7 as FHIR: a QuestionnaireResponse with every item's answer (LOINC item and answer codes) and a
score Observation holding the total, derived from it. The clinician's C-SSRS screener is not mapped (docs/fhir.md)."""

from __future__ import annotations

from care.models import Instrument, MeasureResponse
from interop import codes
from interop.mapping import Resource, concept, instant, ref

FORMS = {
    Instrument.PHQ9: (codes.PHQ9_PANEL, codes.PHQ9_TOTAL, codes.PHQ9_ITEMS),
    Instrument.GAD7: (codes.GAD7_PANEL, codes.GAD7_TOTAL, codes.GAD7_ITEMS),
}


def _author(row: MeasureResponse) -> dict[str, str]:
    if row.source == "self_report" or row.entered_by_id is None:
        return ref("Patient", row.patient_id)
    return ref("Practitioner", row.entered_by_id)


def questionnaire(row: MeasureResponse) -> list[Resource]:
    """The answers and the total of one PHQ-9 or GAD-7 (nothing for other instruments)."""
    if row.instrument not in FORMS:
        return []
    panel, total, items = FORMS[Instrument(row.instrument)]
    answers = []
    for number, item in enumerate(items, 1):
        value = row.answers.get(f"q{number}")
        answer: Resource = {
            "linkId": f"q{number}",
            "definition": f"{codes.LOINC}/{item['code']}",
            "text": item["display"],
        }
        if isinstance(value, int) and 0 <= value < len(codes.FREQUENCY_ANSWERS):
            answer["answer"] = [{"valueCoding": codes.FREQUENCY_ANSWERS[value]}]
        answers.append(answer)
    response: Resource = {
        "resourceType": "QuestionnaireResponse",
        "id": str(row.id),
        "questionnaire": f"{codes.LOINC}/q/{panel['code']}",
        "status": "completed",
        "subject": ref("Patient", row.patient_id),
        "authored": instant(row.taken_at),
        "author": _author(row),
        "item": answers,
    }
    score: Resource = {
        "resourceType": "Observation",
        "id": f"score-{row.id}",
        "status": "final",
        "category": [concept(codes.SURVEY_CATEGORY)],
        "code": concept(total, text=total["display"]),
        "subject": ref("Patient", row.patient_id),
        "effectiveDateTime": instant(row.taken_at),
        "valueInteger": row.total,
        "derivedFrom": [ref("QuestionnaireResponse", row.id)],
    }
    if row.severity:
        score["interpretation"] = [concept(text=row.severity)]
    if row.infusion_id is not None:
        response["encounter"] = score["encounter"] = ref("Encounter", row.infusion_id)
    return [response, score]
