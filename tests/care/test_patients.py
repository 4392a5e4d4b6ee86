from __future__ import annotations

from datetime import timedelta

from care.models import CareTeam, Course, Infusion, MeasureResponse, Patient, RiskAlert
from server.models import AuditEvent, User
from tests.care.conftest import casey, sign_in
from tests.conftest import another, login

NEW = {
    "name": "Avery Stone",
    "email": "avery@example.org",
    "mrn": "DC-2001",
    "date_of_birth": "1990-04-01",
    "pronouns": "she/her",
    "weight_kg": "64.5",
    "password": "lanterns by the harbour",
}


async def test_a_therapist_creates_a_patient_and_joins_the_care_team(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await client.post("/patients/new", data={**NEW, "csrf_token": csrf})
    assert r.status_code == 303
    patient = await Patient.get(mrn="DC-2001").select_related("user")
    assert r.headers["location"] == f"/patients/{patient.id}"
    assert patient.user.role == "patient" and patient.user.password_hash.startswith("$argon2id$")
    therapist = await User.get(email="therapist@demo.clinic")
    assert await CareTeam.filter(patient_id=patient.id, therapist_id=therapist.id).exists()
    assert await AuditEvent.filter(action="patient.created", patient_id=patient.id, actor_id=therapist.id).exists()
    chart = await client.get(r.headers["location"])
    assert chart.status_code == 200 and "Avery Stone" in chart.text and "DC-2001" in chart.text


async def test_bad_patient_input_keeps_what_was_typed_and_saves_nothing(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    bad = {**NEW, "weight_kg": "0", "date_of_birth": "1800-01-01", "password": "short", "email": "nope"}
    r = await client.post("/patients/new", data={**bad, "csrf_token": csrf})
    assert r.status_code == 400
    assert "Weight must be between 25 and 350 kg" in r.text
    assert "The date of birth must be between" in r.text
    assert 'value="Avery Stone"' in r.text and 'value="DC-2001"' in r.text and 'value="1800-01-01"' in r.text
    assert not await Patient.filter(mrn="DC-2001").exists()
    assert not await User.filter(name="Avery Stone").exists()


async def test_account_problems_are_shown_next_to_their_fields(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await client.post("/patients/new", data={**NEW, "email": "nope", "password": "short", "csrf_token": csrf})
    assert r.status_code == 400
    assert "Enter an email address" in r.text and "at least 12 characters" in r.text
    assert not await User.filter(name="Avery Stone").exists()


async def test_a_duplicate_mrn_is_refused(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await client.post("/patients/new", data={**NEW, "mrn": "DC-1001", "csrf_token": csrf})
    assert r.status_code == 400 and "already has this MRN" in r.text
    assert not await User.filter(email="avery@example.org").exists()


async def test_the_caseload_shows_progress_next_session_trend_and_alerts(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    page = await client.get("/caseload")
    assert page.status_code == 200
    assert "Casey Morgan" in page.text and "Riley Chen" not in page.text and "Jamie Fox" not in page.text
    assert "Infusion 5 of 6" in page.text
    assert "improving" in page.text and ">8 <" in page.text
    assert "1 open" in page.text
    assert "Tue 24 Nov 2026, 10:00" in page.text  # next session, shown in the clinic's zone (New York)


async def test_a_supervisor_sees_every_patient_of_the_clinic(client, demo):
    await sign_in(client, "supervisor@demo.clinic")
    page = await client.get("/caseload")
    assert "Casey Morgan" in page.text and "Riley Chen" in page.text and "Jamie Fox" not in page.text


async def test_supervisor_chart_reads_are_audited(client, demo):
    await sign_in(client, "supervisor@demo.clinic")
    patient = await casey()
    page = await client.get(f"/patients/{patient.id}")
    assert page.status_code == 200 and "Record infusion" not in page.text
    supervisor = await User.get(email="supervisor@demo.clinic")
    event = await AuditEvent.filter(action="patient.chart_viewed", actor_id=supervisor.id).first()
    assert event is not None and event.patient_id == patient.id and event.actor_role == "supervisor"


async def test_the_chart_shows_course_infusions_scores_and_a_server_drawn_chart(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    page = await client.get(f"/patients/{patient.id}")
    assert "Iv induction" in page.text and "planned 6 sessions" in page.text and "off label ketamine" in page.text
    assert page.text.count('href="/infusions/') == 6
    assert '<svg viewBox="0 0 640 260" role="img"' in page.text and "<script" not in page.text.split("</head>")[1]
    assert page.text.count('<circle class="dot phq9"') == 6 and page.text.count('<line class="marker"') == 5
    assert "Response (≥ 50% drop)" in page.text and "Remission" not in page.text
    assert "Open risk alerts" in page.text


async def test_starting_a_course_and_recording_consent(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    r = await client.post(
        f"/patients/{patient.id}/courses",
        data={
            "csrf_token": csrf,
            "protocol": "spravato",
            "planned_count": "8",
            "started_on": "2026-11-20",
            "close_current": "completed",
        },
    )
    assert r.status_code == 303
    course = await Course.filter(patient_id=patient.id, protocol="spravato").get()
    r = await client.post(
        f"/courses/{course.id}/consents", data={"csrf_token": csrf, "kind": "spravato_rems", "signed_on": "2026-11-19"}
    )
    assert r.status_code == 303
    status = {"csrf_token": csrf, "status": "maintenance", "version": str(course.version)}
    r = await client.post(f"/courses/{course.id}/status", data=status)
    assert (await Course.get(id=course.id)).status == "maintenance"
    chart = await client.get(f"/patients/{patient.id}")
    assert "Spravato · " in chart.text and "spravato rems signed 19 Nov 2026" in chart.text


async def test_a_bad_course_keeps_the_chart_and_explains(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    r = await client.post(
        f"/patients/{patient.id}/courses",
        data={"csrf_token": csrf, "protocol": "magic", "planned_count": "0", "started_on": "1800-01-01"},
    )
    assert r.status_code == 400
    assert "Choose a protocol" in r.text and "between 1 and 60" in r.text
    assert await Course.filter(patient_id=patient.id).count() == 1


async def test_care_teams_are_managed_by_supervisors_and_admins(client, demo):
    csrf = await sign_in(client, "admin@demo.clinic")
    page = await client.get("/care-teams")
    assert (
        page.status_code == 200
        and "Casey Morgan" in page.text
        and "PHQ" not in page.text
        and "DC-1001" not in page.text
    )
    patient = await casey()
    therapist2 = await User.get(email="therapist2@demo.clinic")
    r = await client.post(f"/patients/{patient.id}/care-team", data={"csrf_token": csrf, "therapist_id": therapist2.id})
    assert r.status_code == 303
    assert await CareTeam.filter(patient_id=patient.id, therapist_id=therapist2.id).exists()
    assert (await client.get(f"/patients/{patient.id}")).status_code == 404  # admins see no clinical content
    async with another(client) as other:
        await login(other, "therapist2@demo.clinic")
        assert (await other.get(f"/patients/{patient.id}")).status_code == 200
        await client.post(
            f"/patients/{patient.id}/care-team",
            data={"csrf_token": csrf, "therapist_id": therapist2.id, "action": "remove"},
        )
        assert (await other.get(f"/patients/{patient.id}")).status_code == 404


async def test_a_therapist_cannot_manage_care_teams(client, demo):
    csrf = await sign_in(client, "therapist2@demo.clinic")
    patient = await casey()
    r = await client.post(f"/patients/{patient.id}/care-team", data={"csrf_token": csrf, "therapist_id": "1"})
    assert r.status_code == 404
    assert not await CareTeam.filter(patient_id=patient.id, therapist__email="therapist2@demo.clinic").exists()


async def _grow(patient: Patient, extra: int) -> None:
    course = await Course.get(patient_id=patient.id)
    base = await Infusion.filter(patient_id=patient.id).order_by("-number").first()
    for n in range(extra):
        await Infusion.create(
            clinic_id=patient.clinic_id,
            course=course,
            patient=patient,
            number=100 + n,
            scheduled_at=base.scheduled_at - timedelta(days=n + 30),
            route="iv",
            agent="racemic_ketamine",
            created_at=base.created_at,
            updated_at=base.created_at,
            started_at=base.scheduled_at - timedelta(days=n + 30),
        )
        await MeasureResponse.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            instrument="PHQ9",
            answers={},
            total=10,
            severity="moderate",
            item9=0,
            source="paper",
            taken_at=base.scheduled_at - timedelta(days=n + 30),
        )


async def test_caseload_and_chart_run_a_constant_number_of_queries(client, demo, queries, caplog):
    await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    with queries.counting(caplog):
        await client.get("/caseload")
        await client.get(f"/patients/{patient.id}")
    before = queries.count
    await _grow(patient, 25)
    with queries.counting(caplog):
        assert (await client.get("/caseload")).status_code == 200
        assert (await client.get(f"/patients/{patient.id}")).status_code == 200
    assert queries.count == before
    assert 10 < before < 60  # both pages with their panels (dashboard, notes, shared entries), audit appends included


async def test_alerts_and_progress_run_a_constant_number_of_queries(client, demo, queries, caplog):
    patient = await casey()
    await sign_in(client, "therapist@demo.clinic")
    with queries.counting(caplog):
        await client.get("/alerts")
    alerts_before = queries.count
    for n in range(10):
        await RiskAlert.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            source="cssrs",
            level="high",
            summary=f"screen {n}",
            created_at=patient.created_at,
        )
    with queries.counting(caplog):
        page = await client.get("/alerts")
    assert page.text.count("Acknowledge</button>") == 11
    assert queries.count == alerts_before
    async with another(client) as me:
        await sign_in(me, "patient@demo.clinic")
        with queries.counting(caplog):
            await me.get("/me/progress")
        progress_before = queries.count
        await _grow(patient, 20)
        with queries.counting(caplog):
            assert (await me.get("/me/progress")).status_code == 200
        assert queries.count == progress_before


async def test_a_patient_turning_18_tomorrow_is_not_yet_an_adult(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await client.post("/patients/new", data={**NEW, "date_of_birth": "2008-11-23", "csrf_token": csrf})
    assert r.status_code == 400
    assert "Patients must be 18 or older: born on or before 22 Nov 2008." in r.text and 'value="2008-11-23"' in r.text
    assert not await Patient.filter(mrn="DC-2001").exists()


async def test_a_patient_turning_18_today_is_an_adult(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await client.post("/patients/new", data={**NEW, "date_of_birth": "2008-11-22", "csrf_token": csrf})
    assert r.status_code == 303
