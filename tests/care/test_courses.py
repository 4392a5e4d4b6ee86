"""One open course per patient: starting a new course says what became of the open one (completed or stopped), a
closed course is not reopened beside an open one, and "Infusion N of M" counts the doses of the course it names."""

from __future__ import annotations

from care.models import Course
from server.models import AuditEvent
from tests.care.conftest import casey, sign_in
from tests.care.test_infusion_rules import error
from tests.care.test_infusions import GOOD

SPRAVATO_COURSE = {"protocol": "spravato", "planned_count": "8", "started_on": "2026-11-20"}


async def _start(client, csrf, patient, **data):
    return await client.post(f"/patients/{patient.id}/courses", data={**data, "csrf_token": csrf})


async def test_the_chart_asks_what_becomes_of_the_open_course(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    chart = await client.get(f"/patients/{(await casey()).id}")
    form = chart.text.split('class="new-course"', 1)[1]
    assert "starting this one closes the iv induction course started 1 Nov 2026 (Infusion 5 of 6)" in form
    assert 'name="close_current"' in form and ">Completed</option>" in form and ">Stopped</option>" in form


async def test_a_new_course_without_a_choice_for_the_open_one_is_refused(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    r = await _start(client, csrf, patient, **SPRAVATO_COURSE)
    assert r.status_code == 400
    assert "still active: choose whether it was completed or stopped" in error(r.text, "close_current")
    form = r.text.split('class="new-course"', 1)[1]
    assert '<option value="spravato" selected>' in form and 'value="8"' in form and 'value="2026-11-20"' in form
    assert [c.status for c in await Course.filter(patient_id=patient.id)] == ["active"]


async def test_starting_a_course_closes_the_open_one_as_chosen(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    assert (await _start(client, csrf, patient, **SPRAVATO_COURSE, close_current="stopped")).status_code == 303
    old, new = await Course.filter(patient_id=patient.id).order_by("started_on")
    assert (old.status, new.status, new.protocol) == ("stopped", "active", "spravato")
    changed = await AuditEvent.get(action="course.status_changed", object_id=str(old.id))
    assert changed.detail == {"from": "active", "to": "stopped", "changed": ["status"]}
    chart = await client.get(f"/patients/{patient.id}")
    assert "Course stopped: 5 of 6 given" in chart.text and "None given yet (8 planned)" in chart.text
    caseload = await client.get("/caseload")
    assert "None given yet (8 planned)" in caseload.text and "Infusion 5 of 6" not in caseload.text


async def test_a_new_course_cannot_start_before_the_open_one(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    early = {**SPRAVATO_COURSE, "started_on": "2026-10-31", "close_current": "completed"}
    r = await _start(client, csrf, patient, **early)
    assert r.status_code == 400 and "before the current one (1 Nov 2026)" in error(r.text, "started_on")
    assert await Course.filter(patient_id=patient.id).count() == 1


async def test_a_closed_course_is_not_reopened_beside_the_open_one(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    await _start(client, csrf, patient, **SPRAVATO_COURSE, close_current="completed")
    old = await Course.get(patient_id=patient.id, protocol="iv_induction")
    version = str(old.version)  # what the chart's status form carries
    r = await client.post(
        f"/courses/{old.id}/status", data={"status": "maintenance", "version": version, "csrf_token": csrf}
    )
    assert r.status_code == 400
    assert "The spravato (20 Nov 2026) course is open: complete or stop it" in error(r.text, "status")
    assert (await Course.get(id=old.id)).status == "completed"
    r = await client.post(
        f"/courses/{old.id}/status", data={"status": "stopped", "version": version, "csrf_token": csrf}
    )
    assert r.status_code == 303 and (await Course.get(id=old.id)).status == "stopped"


async def test_infusion_n_of_m_counts_the_open_course(client, demo):
    csrf = await sign_in(client, "nurse@demo.clinic")
    patient = await casey()
    data = {"protocol": "iv_induction", "planned_count": "4", "started_on": "2026-11-20", "close_current": "completed"}
    await _start(client, csrf, patient, **data)
    course = await Course.get(patient_id=patient.id, status="active")
    consent = {"kind": "off_label_ketamine", "signed_on": "2026-11-20", "csrf_token": csrf}
    await client.post(f"/courses/{course.id}/consents", data=consent)
    form = await client.get(f"/patients/{patient.id}/infusions/new")
    assert 'name="number" type="text" value="1"' in form.text
    r = await client.post(f"/patients/{patient.id}/infusions/new", data={**GOOD, "number": "1", "csrf_token": csrf})
    assert r.status_code == 303
    assert "Infusion 1 of 4" in (await client.get("/caseload")).text
    chart = await client.get(f"/patients/{patient.id}")
    assert "Course completed: 5 of 6 given" in chart.text and "Infusion 1 of 4" in chart.text
    assert "<td>Iv induction, 20 Nov 2026</td>" in chart.text and "<td>Iv induction, 1 Nov 2026</td>" in chart.text


async def test_a_second_tab_does_not_close_the_course_the_first_one_started(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    chart = await client.get(f"/patients/{patient.id}")
    shown = chart.text.split('name="current_course_id" value="', 1)[1].split('"', 1)[0]
    tab = {**SPRAVATO_COURSE, "close_current": "completed", "current_course_id": shown}
    assert (await _start(client, csrf, patient, **tab)).status_code == 303
    r = await _start(client, csrf, patient, **{**tab, "protocol": "kap_lozenge"})
    assert r.status_code == 400
    assert "The open course is now the spravato (20 Nov 2026) one" in error(r.text, "close_current")
    assert [c.protocol for c in await Course.filter(patient_id=patient.id, status="active")] == ["spravato"]
