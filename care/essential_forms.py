"""The forms of the chart's essentials (care/essentials.py): each returns the typed values as the row's columns, or
None with a message per field, the text kept as typed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from care import icd10
from care.chart_models import DiagnosisStatus, Severity
from server.forms import Form

AHEAD = timedelta(days=366)  # a medication may be planned to start (or stop) within the coming year
SEVERITIES = [s.value for s in Severity]
DIAGNOSIS_STATUSES = [s.value for s in DiagnosisStatus]
Parsed = tuple[dict[str, Any] | None, Form]


def _done(f: Form, columns: dict[str, Any]) -> Parsed:
    return (None, f) if f.errors else (columns, f)


def medication(raw: Mapping[str, Any], today: date) -> Parsed:
    f = Form(raw)
    started = f.date("started_on", "the start date", latest=today + AHEAD, required=False)
    stopped = f.date("stopped_on", "the stop date", latest=today + AHEAD, required=False)
    columns = {
        "name": f.text("name", "the medication's name", required=True, max_len=120),
        "dose": f.text("dose", "the dose", max_len=60),
        "frequency": f.text("frequency", "how often", max_len=60),
        "prescriber": f.text("prescriber", "the prescriber", max_len=120),
        "started_on": started,
        "stopped_on": stopped,
        "entered_in_error": f.check("entered_in_error"),
    }
    if started and stopped and stopped < started:
        f.errors["stopped_on"] = f"The stop date can't be before the start date ({started:%-d %b %Y})."
    return _done(f, columns)


def allergy(raw: Mapping[str, Any], _today: date) -> Parsed:
    f = Form(raw)
    columns = {
        "substance": f.text("substance", "the substance (a medicine, food or material)", required=True, max_len=120),
        "reaction": f.text("reaction", "the reaction", max_len=200),
        "severity": f.choice("severity", "how severe the reaction is", SEVERITIES),
        "active": not f.check("inactive"),
    }
    return _done(f, columns)


def diagnosis(raw: Mapping[str, Any], today: date) -> Parsed:
    f = Form(raw)
    typed = f.text("code", "the ICD-10-CM code", required=True, max_len=12)
    code = icd10.normalise(typed)
    if typed and "code" not in f.errors and code not in icd10.CODES:
        f.errors["code"] = (
            f"“{typed}” is not one of the ICD-10-CM codes this clinic uses (for example F33.2, F41.1, F43.10). "
            "Check the code, or ask for it to be added."
        )
    columns = {
        "code": code,
        "noted_on": f.date("noted_on", "the date diagnosed", latest=today, required=False),
        "status": f.choice("status", "the status", DIAGNOSIS_STATUSES, required=False) or DiagnosisStatus.ACTIVE,
    }
    return _done(f, columns)


CONTACT_FIELDS = {  # name: (label on the form, size)
    "emergency_name": ("Emergency contact's name", 120),
    "emergency_relationship": ("Relationship to the patient", 60),
    "emergency_phone": ("Emergency contact's phone", 40),
    "escort_name": ("Escort home after a dose", 120),
    "escort_phone": ("Escort's phone", 40),
    "referrer_name": ("Referring prescriber", 120),
    "referrer_contact": ("Prescriber's practice and phone", 200),
}


def contacts(raw: Mapping[str, Any]) -> Parsed:
    f = Form(raw)
    columns = {name: f.text(name, label.lower(), max_len=size) for name, (label, size) in CONTACT_FIELDS.items()}
    if columns["emergency_name"] and not columns["emergency_phone"] and "emergency_phone" not in f.errors:
        f.errors["emergency_phone"] = "Enter a phone number for the emergency contact: it is what staff will call."
    return _done(f, columns)
