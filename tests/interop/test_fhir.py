"""The record as FHIR: every resource the demo clinics export parses as its declared type with fhir.resources, the
codes come from the shipped lists, the patient's bundle carries their scores as the chart does, process notes and
private entries appear nowhere (unless the patient chooses their own entries), and strangers get 404."""

from __future__ import annotations

import base64
import json
from argparse import Namespace
from datetime import date, timedelta
from pathlib import Path

from care.chart_models import Allergy, ChartProfile, Diagnosis, Medication, SafetyPlan, SafetyPlanStep
from care.models import Instrument, MeasureResponse, Patient
from interop import bulk, codes, record
from interop.codes import CODE_LISTS
from interop.validate import validate
from journal.models import JournalEntry
from notes.models import ProcessNote
from server.models import AuditEvent, Clinic, User
from tests.care.conftest import sign_in
from tests.conftest import DEMO_PASSWORD, another, login


async def _chart_essentials(now) -> Patient:
    """Casey's diagnoses, medications (current, stopped, in error), allergies and safety plan (with a step of their
    own), and "no known allergies" recorded for the other demo patient — in place of the demo clinic's own chart
    data, so each code and status asserted below comes from exactly one row."""
    casey = await Patient.get(mrn="DC-1001")
    for kind in (Diagnosis, Medication, Allergy, ChartProfile):
        await kind.filter(clinic_id=casey.clinic_id).delete()
    await SafetyPlanStep.filter(plan__clinic_id=casey.clinic_id).delete()
    await SafetyPlan.filter(clinic_id=casey.clinic_id).delete()
    other = await Patient.filter(clinic_id=casey.clinic_id).exclude(id=casey.id).first()
    assert other is not None
    therapist = await User.get(email="therapist@demo.clinic")
    row = {"clinic_id": casey.clinic_id, "patient": casey, "created_at": now, "updated_at": now}
    by = {"created_by_id": therapist.id, "updated_by_id": therapist.id}
    await Diagnosis.create(**row, **by, code="F33.1", noted_on=date(2026, 1, 5))
    await Diagnosis.create(**row, **by, code="F41.1", status="resolved")
    await Diagnosis.create(**row, **by, code="F32.9", status="entered_in_error")
    await Medication.create(
        **row, **by, name="Sertraline", dose="100 mg", frequency="daily", started_on=date(2025, 3, 1)
    )
    await Medication.create(
        **row, **by, name="Lorazepam", dose="0.5 mg", frequency="at night", prescriber="Dr. Okafor",
        started_on=date(2025, 3, 1), stopped_on=now.date() - timedelta(days=10),
    )  # fmt: skip
    await Medication.create(**row, **by, name="Bupropion XL", entered_in_error=True)
    await Allergy.create(**row, **by, substance="Penicillin", reaction="Hives", severity="moderate")
    await Allergy.create(**row, **by, substance="Latex", active=False)
    await ChartProfile.create(
        clinic_id=casey.clinic_id, patient=other, no_known_allergies=True, allergies_reviewed_at=now,
        allergies_reviewed_by_id=therapist.id, updated_at=now,
    )  # fmt: skip
    plan = await SafetyPlan.create(
        clinic_id=casey.clinic_id, patient=casey, warning_signs="Not sleeping\nSkipping meals", coping="Walk the dog",
        distractions="Café on Main St", helpers="Call my sister Ana, 555-0100",
        professionals="988\nThe clinic: 555-0199",
        environment="Give the pills to Ana", updated_at=now, updated_by_id=therapist.id,
    )  # fmt: skip
    await SafetyPlanStep.create(plan=plan, text="Play the piano", added_at=now)
    return casey


def _lines(folder: Path) -> dict[str, list[dict]]:
    return {p.stem: [json.loads(line) for line in p.read_text().splitlines()] for p in folder.glob("*.ndjson")}


async def _export(actor, folder: Path) -> dict[str, dict[str, list[dict]]]:
    found = {}
    for clinic in await Clinic.all().order_by("id"):
        await bulk.export_clinic(actor, clinic, folder / clinic.slug, batch=1)
        found[clinic.slug] = _lines(folder / clinic.slug)
    return found


def _codings(value: object):
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            yield value["system"], value["code"]
        for item in value.values():
            yield from _codings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _codings(item)


def _text(value: object) -> str:
    """The JSON and every attachment decoded: what a receiving system could read."""
    found = [json.dumps(value, ensure_ascii=False)]
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("data"), str) and "contentType" in item:
                found.append(base64.b64decode(item["data"]).decode())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return "\n".join(found)


async def _bundle(client, journal: str = "") -> dict:
    assert (await login(client, "patient@demo.clinic")).status_code == 303
    response = await client.get("/me/export.fhir.json" + (f"?journal={journal}" if journal else ""))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/fhir+json")
    return response.json()


async def test_every_resource_the_demo_clinics_export_validates_with_fhir_resources(client, demo, actor, tmp_path):
    await _chart_essentials(actor.now)
    exported = await _export(actor, tmp_path)
    kinds = set()
    for files in exported.values():
        for kind, resources in files.items():
            for resource in resources:
                assert resource["resourceType"] == kind
                validate(resource)
                assert set(_codings(resource)) <= CODE_LISTS, resource["id"]
            kinds.add(kind)
    assert kinds == {
        "AllergyIntolerance", "CarePlan", "Composition", "Condition", "Consent", "DocumentReference", "Encounter",
        "MedicationAdministration", "MedicationStatement", "Observation", "Organization", "Patient", "Practitioner",
        "Provenance", "QuestionnaireResponse",
    }  # fmt: skip


async def test_the_chart_essentials_and_safety_plan_map_as_us_core_has_them(client, demo, actor, tmp_path):
    casey = await _chart_essentials(actor.now)
    files = (await _export(actor, tmp_path))["demo.clinic"]
    conditions = {c["code"]["coding"][0]["code"]: c for c in files["Condition"]}
    assert conditions["F33.1"]["code"]["coding"][0]["system"] == "http://hl7.org/fhir/sid/icd-10-cm"
    assert conditions["F33.1"]["clinicalStatus"]["coding"][0]["code"] == "active"
    assert conditions["F33.1"]["category"][0]["coding"][0]["code"] == "problem-list-item"
    assert conditions["F41.1"]["clinicalStatus"]["coding"][0]["code"] == "resolved"
    assert "clinicalStatus" not in conditions["F32.9"]
    assert conditions["F32.9"]["verificationStatus"]["coding"][0]["code"] == "entered-in-error"
    meds = {m["medicationCodeableConcept"]["text"]: m for m in files["MedicationStatement"]}
    assert meds["Sertraline"]["status"] == "active" and meds["Sertraline"]["dosage"] == [{"text": "100 mg daily"}]
    assert meds["Sertraline"]["medicationCodeableConcept"]["coding"] == [codes.RXNORM_INGREDIENTS["sertraline"]]
    assert meds["Lorazepam"]["status"] == "completed" and "coding" not in meds["Lorazepam"]["medicationCodeableConcept"]
    assert meds["Lorazepam"]["effectivePeriod"]["end"] == (actor.now.date() - timedelta(days=10)).isoformat()
    assert meds["Bupropion XL"]["status"] == "entered-in-error"
    assert meds["Bupropion XL"]["medicationCodeableConcept"]["coding"][0]["code"] == "42347"
    allergies = {a["code"].get("text"): a for a in files["AllergyIntolerance"]}
    assert allergies["Penicillin"]["reaction"] == [{"manifestation": [{"text": "Hives"}], "severity": "moderate"}]
    assert allergies["Latex"]["clinicalStatus"]["coding"][0]["code"] == "inactive"
    nka = allergies["No known allergies"]
    assert nka["code"]["coding"] == [codes.NO_KNOWN_ALLERGY] and nka["patient"]["reference"] != f"Patient/{casey.id}"
    (plan,) = files["CarePlan"]
    assert (plan["status"], plan["intent"], plan["subject"]["reference"]) == ("active", "plan", f"Patient/{casey.id}")
    assert [a["detail"]["code"]["text"][:2] for a in plan["activity"]] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert "Play the piano (added by me)" in plan["activity"][1]["detail"]["description"]
    assert "Café on Main St" in plan["text"]["div"]


async def test_the_patients_own_bundle_holds_their_chart_and_safety_plan(client, demo, actor):
    await _chart_essentials(actor.now)
    bundle = await _bundle(client)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Condition", "MedicationStatement", "AllergyIntolerance", "CarePlan"} <= kinds
    assert not [e for e in bundle["entry"] if e["resource"]["id"].startswith("nka-")]  # the other patient's
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    referred = {v for e in bundle["entry"] for k, v in _references(e["resource"]) if v.startswith("Practitioner/")}
    assert referred and referred <= present  # every clinician the chart names is in the bundle


def _references(value: object):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield key, item
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def test_the_codes_are_pinned_to_their_checked_values():
    phq9 = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]
    gad7 = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
    assert [c["code"] for c in codes.PHQ9_ITEMS] == phq9 and [c["code"] for c in codes.GAD7_ITEMS] == gad7
    assert (codes.PHQ9_PANEL["code"], codes.PHQ9_TOTAL["code"]) == ("44249-1", "44261-6")
    assert (codes.GAD7_PANEL["code"], codes.GAD7_TOTAL["code"]) == ("69737-5", "70274-6")
    vitals = (codes.BP_PANEL, codes.SYSTOLIC, codes.DIASTOLIC, codes.HEART_RATE, codes.SPO2, codes.SPO2_ALSO)
    assert [c["code"] for c in vitals] == ["85354-9", "8480-6", "8462-4", "8867-4", "59408-5", "2708-6"]
    assert (codes.KETAMINE["code"], codes.ESKETAMINE["code"]) == ("6130", "2201623")
    routes = {k: v["code"] for k, v in codes.ROUTES.items()}
    assert routes == {"iv": "47625008", "im": "78421000", "intranasal": "46713006", "sublingual": "37839007"}
    assert codes.NO_KNOWN_ALLERGY == {"system": codes.SNOMED, "code": "716186003", "display": "No known allergy"}
    assert codes.RXNORM_INGREDIENTS["sertraline"]["code"] == "36437"
    assert codes.RXNORM_INGREDIENTS["escitalopram"]["code"] == "321988"
    assert codes.CONDITIONS["F33.1"]["system"] == "http://hl7.org/fhir/sid/icd-10-cm"


async def test_the_patients_bundle_validates_and_holds_the_charts_phq9_totals(client, demo):
    bundle = await _bundle(client, "all")
    validate(bundle)
    assert bundle["type"] == "collection"
    resources = [e["resource"] for e in bundle["entry"]]
    totals = sorted(
        (r["effectiveDateTime"], r["valueInteger"])
        for r in resources
        if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "44261-6"
    )
    casey = await Patient.get(mrn="DC-1001")
    chart = await MeasureResponse.filter(patient_id=casey.id, instrument=Instrument.PHQ9).order_by("taken_at")
    assert [total for _, total in totals] == [m.total for m in chart] == [19, 16, 13, 11, 9, 8]
    answers = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    assert len(answers) == 12 and all(len(r["item"]) in (7, 9) for r in answers)


async def test_process_notes_and_private_entries_appear_in_no_export(client, demo, actor, tmp_path):
    await _chart_essentials(actor.now)
    secrets = [n.body for n in await ProcessNote.all()] + [e.body for e in await JournalEntry.filter(shared=False)]
    assert secrets and all(secrets)
    exported = _text(await _export(actor, tmp_path))
    for journal in ("", "none", "shared"):
        async with another(client) as browser:
            exported += _text(await _bundle(browser, journal))
    async with another(client) as browser:
        await login(browser, "supervisor@demo.clinic")
        for patient in await Patient.filter(clinic__slug="demo.clinic"):
            exported += _text((await browser.get(f"/fhir/Patient/{patient.id}/$everything")).json())
    assert [s for s in secrets if s in exported] == []


async def test_the_patient_chooses_which_of_their_entries_the_bundle_includes(client, demo):
    casey = await Patient.get(mrn="DC-1001")
    shared = {f"journal-{e.id}" for e in await JournalEntry.filter(patient_id=casey.id, shared=True)}
    every = {f"journal-{e.id}" for e in await JournalEntry.filter(patient_id=casey.id)}
    for choice, expected in (("", set()), ("none", set()), ("shared", shared), ("all", every)):
        async with another(client) as browser:
            bundle = await _bundle(browser, choice)
        found = {e["resource"]["id"] for e in bundle["entry"] if e["resource"]["id"].startswith("journal-")}
        assert found == expected, choice
    assert shared and every > shared


async def test_the_patients_download_is_audited_once_with_its_counts(client, demo):
    before = await AuditEvent.all().count()
    await _bundle(client, "shared")
    events = await AuditEvent.filter(seq__gt=before, action="fhir.patient_exported")
    assert len(events) == 1 and events[0].detail["journal"] == "shared"
    assert events[0].detail["resources"]["Patient"] == 1


async def test_strangers_get_404_on_the_fhir_patient_endpoints(client, demo):
    casey = await Patient.get(mrn="DC-1001")
    for who in ("therapist2@demo.clinic", "therapist@other.clinic", "patient@demo.clinic", "admin@demo.clinic"):
        async with another(client) as browser:
            await login(browser, who)
            for path in (f"/fhir/Patient/{casey.id}", f"/fhir/Patient/{casey.id}/$everything"):
                assert (await browser.get(path)).status_code == 404, (who, path)


async def test_the_care_team_reads_the_patient_and_everything(client, demo):
    casey = await Patient.get(mrn="DC-1001")
    await login(client, "therapist@demo.clinic")
    patient = (await client.get(f"/fhir/Patient/{casey.id}")).json()
    validate(patient)
    assert patient["identifier"][0]["value"] == "DC-1001"
    bundle = (await client.get(f"/fhir/Patient/{casey.id}/$everything")).json()
    validate(bundle)
    assert bundle["type"] == "searchset" and bundle["total"] == len(bundle["entry"])
    assert not [e for e in bundle["entry"] if e["resource"]["id"].startswith("journal-")]


async def test_the_ndjson_export_round_trips_its_counts_and_is_audited_once(client, demo, actor, tmp_path):
    clinic = await Clinic.get(slug="demo.clinic")
    before = await AuditEvent.all().count()
    counts = await bulk.export_clinic(actor, clinic, tmp_path, batch=1, check=True)
    lines = _lines(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert {kind: len(rows) for kind, rows in lines.items()} == counts
    assert {o["type"]: o["count"] for o in manifest["output"]} == counts
    assert counts["Patient"] == await Patient.filter(clinic_id=clinic.id).count()
    events = await AuditEvent.filter(seq__gt=before)
    assert [(e.action, e.clinic_id, e.detail["resources"]) for e in events] == [
        ("fhir.bulk_exported", clinic.id, counts)
    ]


async def test_the_command_writes_each_clinic_apart_with_a_progress_line(client, demo, settings, tmp_path, capsys):
    out = tmp_path / "export"
    assert await bulk.run(settings, Namespace(out=str(out), clinic=None, validate=False)) == 0
    assert sorted(p.name for p in out.iterdir()) == ["demo.clinic", "other.clinic"]
    assert (out / "other.clinic" / "manifest.json").stat().st_mode & 0o077 == 0
    assert "demo.clinic: 2/2 patients" in capsys.readouterr().err
    assert await bulk.run(settings, Namespace(out=str(out), clinic="nowhere", validate=False)) == 2


async def test_a_batch_of_records_loads_in_the_same_queries_however_many_patients(client, demo, queries, caplog):
    clinic = await Clinic.get(slug="demo.clinic")
    ids = [p.id for p in await Patient.filter(clinic_id=clinic.id).order_by("id")]
    counts = []
    for batch in (ids[:1], ids):
        with queries.counting(caplog):
            records = await record.load(clinic, batch, record.JournalChoice.ALL)
        assert [r.patient.id for r in records] == batch and all(r.infusions and r.measures for r in records)
        counts.append(queries.count)
    assert counts == [15, 15]


async def test_breaking_the_glass_opens_the_fhir_api_as_it_opens_the_chart(client, demo):
    casey = await Patient.get(mrn="DC-1001")
    csrf = await sign_in(client, "therapist2@demo.clinic")
    assert (await client.get(f"/fhir/Patient/{casey.id}/$everything")).status_code == 404
    reason = "Patient in ED now, covering for Sam"
    data = {"csrf_token": csrf, "mrn": "DC-1001", "reason": reason, "password": DEMO_PASSWORD}
    assert (await client.post("/break-glass", data=data)).status_code == 303
    response = await client.get(f"/fhir/Patient/{casey.id}/$everything")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert (await client.post(f"/fhir/Patient/{casey.id}", data={"csrf_token": csrf})).status_code == 405
