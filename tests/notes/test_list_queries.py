"""No per-row queries (N+1) on the notes room's list pages: the SQL statements a page runs do not grow with the
rows it lists. (The therapist dashboard on /caseload: tests/notes/test_process_and_dashboard.py.)"""

from __future__ import annotations

from care.models import RiskAlert
from notes.models import Addendum, IntegrationNote, ProcessNote, SignedVersion
from server.models import User
from tests.care.conftest import casey, sign_in
from tests.care.test_list_queries import grow_session
from tests.notes.conftest import casey_infusion


async def test_it_lists_process_notes_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    before = await queries.page(client, f"/patients/{patient.id}/process-notes", caplog)
    author = await User.get(email="therapist@demo.clinic")
    for n in range(12):
        await ProcessNote.create(
            clinic_id=patient.clinic_id,
            author=author,
            patient=patient,
            body=f"Process {n}",
            created_at=patient.created_at,
            updated_at=patient.created_at,
        )
    assert await queries.page(client, f"/patients/{patient.id}/process-notes", caplog) == before
    assert queries.text.count('href="/process-notes/') >= 12


async def test_it_shows_a_notes_addenda_and_versions_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "therapist@demo.clinic")
    note = await IntegrationNote.filter(status="signed", patient__mrn="DC-1001").order_by("id").first()
    before = await queries.page(client, f"/notes/{note.id}", caplog)
    authors = await User.filter(email__in=["therapist@demo.clinic", "therapist2@demo.clinic", "supervisor@demo.clinic"])
    for n in range(12):
        await Addendum.create(
            note=note, author=authors[n % 3], body=f"Addendum {n}", signed_at=note.signed_at, content_sha256="0" * 64
        )
        await SignedVersion.create(
            note=note,
            version=n + 2,
            content=note.content,
            signed_at=note.signed_at,
            signed_by_id=note.author_id,
            content_sha256=note.content_sha256,
        )
    assert await queries.page(client, f"/notes/{note.id}", caplog) == before
    assert "Addendum 11" in queries.text and "Version 13" in queries.text


async def test_it_prefills_the_note_editor_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "therapist@demo.clinic")
    infusion = await casey_infusion(5)
    before = await queries.page(client, f"/infusions/{infusion.id}/notes/new", caplog)
    await grow_session(infusion, 12)
    for n in range(12):
        await RiskAlert.create(
            clinic_id=infusion.clinic_id,
            patient_id=infusion.patient_id,
            source="phq9_item9",
            level="moderate",
            summary=f"Grown alert {n}",
            created_at=infusion.started_at,
        )
    assert await queries.page(client, f"/infusions/{infusion.id}/notes/new", caplog) == before
    assert "Grown reflection 11" in queries.text
