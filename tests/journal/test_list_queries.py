"""No per-row queries (N+1) on the journal's list pages: the SQL statements a page runs do not grow with the
rows it lists (entries, pages of entries, revisions, exports, prompts and note summaries on the home page)."""

from __future__ import annotations

from care.models import Patient
from journal.models import JournalEntry, JournalRevision, Prompt
from server.models import User
from tests.care.conftest import sign_in
from tests.care.test_list_queries import entry_on, note_on
from tests.journal.conftest import HX, casey_infusion


async def grow_journal(count: int) -> list[JournalEntry]:
    """`count` more of Casey's entries (every other one shared), each with two revisions, plus as many practice
    prompts due now and signed notes with a summary for her."""
    infusion = await casey_infusion()
    therapist = await User.get(email="therapist@demo.clinic")
    at = infusion.started_at
    made = []
    for n in range(count):
        entry = await entry_on(infusion, f"Grown entry {n}", shared=n % 2 == 0, version=2)
        for version in (1, 2):
            await JournalRevision.create(entry=entry, version=version, body=entry.body, saved_at=at)
        await Prompt.create(
            clinic_id=infusion.clinic_id, patient_id=infusion.patient_id, due_at=at, text=f"Practice {n}", created_at=at
        )
        await note_on(infusion, therapist, shared_summary=f"Summary {n}")
        made.append(entry)
    return made


async def _first_entry() -> JournalEntry:
    patient = await Patient.get(user__email="patient@demo.clinic")
    return await JournalEntry.filter(patient_id=patient.id).order_by("id").first()


async def test_it_lists_the_journal_home_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "patient@demo.clinic")
    before = await queries.page(client, "/journal", caplog)
    await grow_journal(25)  # more than a page (20) of entries
    assert await queries.page(client, "/journal", caplog) == before
    assert queries.text.count("Grown entry") == 20 and "Practice" in queries.text and "Older entries" in queries.text


async def test_it_pages_older_entries_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "patient@demo.clinic")
    first = await _first_entry()
    before = await queries.page(client, f"/journal?before={first.id + 2}", caplog, headers=HX)  # a part-page
    grown = await grow_journal(25)
    assert await queries.page(client, f"/journal?before={grown[-1].id}", caplog, headers=HX) == before
    assert queries.text.count("Grown entry") == 20


async def test_it_lists_an_entrys_history_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "patient@demo.clinic")
    entry = await _first_entry()
    before = await queries.page(client, f"/journal/{entry.id}/history", caplog)
    for version in range(2, 17):
        await JournalRevision.create(entry=entry, version=version, body=f"Revised {version}", saved_at=entry.created_at)
    assert await queries.page(client, f"/journal/{entry.id}/history", caplog) == before
    assert "Revised 16" in queries.text


async def test_it_exports_the_journal_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "patient@demo.clinic")
    markdown = await queries.page(client, "/me/export.md", caplog)
    json = await queries.page(client, "/me/export.json", caplog)
    await grow_journal(15)
    assert await queries.page(client, "/me/export.md", caplog) == markdown
    assert await queries.page(client, "/me/export.json", caplog) == json
    assert "Grown entry 14" in queries.text
