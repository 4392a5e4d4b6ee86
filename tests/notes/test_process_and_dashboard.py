from __future__ import annotations

import re
from datetime import timedelta

import pytest

from care.models import Infusion, Patient
from journal.models import JournalEntry
from notes.models import IntegrationNote, ProcessNote, Supervision
from server.models import AuditEvent, User
from tests.care.conftest import sign_in
from tests.conftest import another
from tests.journal.conftest import draft
from tests.notes.conftest import PASSWORD, casey_infusion, note_form
from tests.server.test_cli import _run


async def _process_note(client, csrf) -> ProcessNote:
    patient = await Patient.get(mrn="DC-1001")
    r = await client.post(
        f"/patients/{patient.id}/process-notes",
        data={"csrf_token": csrf, "body": "Countertransference: felt protective."},
    )
    assert r.status_code == 303
    return await ProcessNote.filter(patient_id=patient.id).order_by("-id").first()


async def test_process_notes_open_only_for_their_author_after_step_up(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _process_note(client, csrf)
    gate = await client.get(f"/process-notes/{note.id}")
    assert gate.status_code == 200 and "Countertransference" not in gate.text and "Re-enter your password" in gate.text
    wrong = await client.post(f"/process-notes/{note.id}/open", data={"csrf_token": csrf, "password": "wrong one"})
    assert wrong.status_code == 400 and "Countertransference" not in wrong.text
    opened = await client.post(f"/process-notes/{note.id}/open", data={"csrf_token": csrf, "password": PASSWORD})
    assert opened.status_code == 200 and "Countertransference: felt protective." in opened.text
    actions = await AuditEvent.filter(object_type="process_note").values_list("action", "outcome")
    assert ("process_note.step_up_failed", "denied") in actions and ("process_note.opened", "ok") in actions


async def test_process_notes_are_404_to_everyone_else_until_supervision_is_recorded(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _process_note(client, csrf)
    for email in (
        "patient@demo.clinic",
        "therapist2@demo.clinic",
        "supervisor@demo.clinic",
        "therapist@other.clinic",
        "admin@demo.clinic",
    ):
        async with another(client) as other:
            other_csrf = await sign_in(other, email)
            assert (await other.get(f"/process-notes/{note.id}")).status_code == 404, email
            r = await other.post(
                f"/process-notes/{note.id}/open", data={"csrf_token": other_csrf, "password": PASSWORD}
            )
            assert r.status_code == 404 and "Countertransference" not in r.text, email
    supervisor = await User.get(email="supervisor@demo.clinic")
    author = await User.get(email="therapist@demo.clinic")
    await Supervision.create(
        clinic_id=author.clinic_id, supervisor=supervisor, supervisee=author, started_at=note.created_at
    )
    async with another(client) as sup:
        sup_csrf = await sign_in(sup, "supervisor@demo.clinic")
        r = await sup.post(f"/process-notes/{note.id}/open", data={"csrf_token": sup_csrf, "password": PASSWORD})
        assert r.status_code == 200 and "Countertransference" in r.text


async def test_process_notes_never_reach_the_patient_or_exports(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    await _process_note(client, csrf)
    async with another(client) as patient:
        await sign_in(patient, "patient@demo.clinic")
        for path in ("/journal", "/me/progress", "/me/export.md", "/me/export.json"):
            assert "Countertransference" not in (await patient.get(path)).text
    chart = await client.get(f"/patients/{(await Patient.get(mrn='DC-1001')).id}")
    assert "Countertransference" not in chart.text


async def test_the_dashboard_lists_due_overdue_drafts_returned_and_new_shared_entries(client, demo, clock):
    csrf = await sign_in(client, "therapist@demo.clinic")
    page = await client.get("/caseload")
    assert "Today's sessions" in page.text.replace("&#39;", "'")
    assert page.text.count("overdue</strong> since") == 3  # demo infusions 3, 4 (draft only) and 5
    assert "Riley Chen" not in page.text and "Drafts" in page.text
    signed = await _note(client, csrf, 5)
    await client.post(f"/notes/{signed.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD})
    returned = await _note(client, csrf, 3)
    await IntegrationNote.filter(id=returned.id).update(status="returned", return_comment="Please add risk detail")
    page = await client.get("/caseload")
    assert page.text.count("overdue</strong> since") == 2
    assert "Please add risk detail" in page.text
    assert "New shared journal entries" in page.text and page.text.count("#shared-entries") == 2
    await client.post("/dashboard/seen", data={"csrf_token": csrf})
    assert (await client.get("/caseload")).text.count("#shared-entries") == 0
    async with another(client) as patient:
        p_csrf = await sign_in(patient, "patient@demo.clinic")
        clock.advance(minutes=1)
        await patient.post("/journal/new", data=draft(p_csrf, body="new thought", shared="on"))
    assert (await client.get("/caseload")).text.count("#shared-entries") == 1


async def _note(client, csrf, number: int) -> IntegrationNote:
    data = note_form(csrf)
    await client.post(f"/infusions/{(await casey_infusion(number)).id}/notes/new", data=data)
    return await IntegrationNote.get(draft_key=data["draft_key"])


async def test_a_session_today_and_a_note_due_soon(client, demo, clock):
    infusion = await casey_infusion(6)
    await Infusion.filter(id=infusion.id).update(scheduled_at=clock.now + timedelta(hours=1))
    await sign_in(client, "therapist@demo.clinic")
    page = await client.get("/caseload")
    today = page.text.split("Today")[1].split("</section>")[0]
    assert "Casey Morgan · infusion 6" in today


async def test_dashboard_queries_stay_constant(client, demo, queries, caplog):
    from tests.care.test_patients import _grow

    csrf = await sign_in(client, "therapist@demo.clinic")
    with queries.counting(caplog):
        await client.get("/caseload")
    before = queries.count
    await _grow(await Patient.get(mrn="DC-1001"), 15)
    for n in (1, 2):
        await _note(client, csrf, n)
    await JournalEntry.filter(patient__mrn="DC-1001").update(shared=True, shared_at=None)
    with queries.counting(caplog):
        assert (await client.get("/caseload")).status_code == 200
    assert queries.count == before


@pytest.mark.slow
async def test_verify_notes_command_names_a_changed_note(client, demo, settings):
    csrf = await sign_in(client, "therapist@demo.clinic")
    note = await _note(client, csrf, 5)
    await client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "version": "1", "password": PASSWORD})
    ok = await _run(settings, "verify-notes")
    assert ok.returncode == 0 and re.search(r"All \d+ signed notes match", ok.stdout)
    await IntegrationNote.filter(id=note.id).update(shared_summary="edited after signing")
    bad = await _run(settings, "verify-notes")
    assert bad.returncode == 1 and str(note.id) in bad.stdout
