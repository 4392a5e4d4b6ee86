"""No per-row queries (N+1) on the oversight pages that list rows: the SQL statements a page runs do not grow with
the rows it lists. (The audit viewer's deep pages: tests/oversight/test_oversight.py and test_seed.py.)"""

from __future__ import annotations

from care.models import BreakGlass, Infusion, Patient, RiskAlert
from notes.models import IntegrationNote
from oversight.models import NoteReview
from server import audit
from server.models import AuditChainHead, AuditEvent, User
from tests.care.conftest import casey, sign_in
from tests.care.test_list_queries import grow_session, more_patients, note_on


async def more_events(count: int, actor: User, **fields: object) -> None:
    """`count` more audit events after the chain head (their hashes are not the point here)."""
    head = await AuditEvent.all().order_by("-seq").first()
    await AuditEvent.bulk_create(
        [
            AuditEvent(
                seq=head.seq + n,
                at=head.at,
                actor_id=actor.id,
                actor_role=actor.role,
                clinic_id=actor.clinic_id,
                prev_hash="0" * 64,
                hash="0" * 64,
                **fields,
            )
            for n in range(1, count + 1)
        ]
    )
    await AuditChainHead.filter(id=1).update(seq=head.seq + count)  # later appends go after the bulk rows
    await audit.remember_head()  # as an append would have: the next one starts from here in two statements


async def _more_notes(count: int, status: str) -> list[IntegrationNote]:
    """`count` more of Casey's notes by the second demo therapist, signed (or waiting) at her first session."""
    infusion = await Infusion.get(patient__mrn="DC-1001", number=1)
    author = await User.get(email="therapist2@demo.clinic")
    return [await note_on(infusion, author, status) for _ in range(count)]


async def test_it_shows_the_quality_dashboard_and_overdue_list_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "supervisor@demo.clinic")
    home = await queries.page(client, "/oversight", caplog)
    overdue = await queries.page(client, "/oversight/overdue-notes", caplog)
    for patient in await more_patients(12):
        await RiskAlert.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            source="cssrs",
            level="high",
            summary="grown",
            created_at=patient.created_at,
        )
    await grow_session(await Infusion.get(patient__mrn="DC-1001", number=5), 12)
    await _more_notes(12, "draft")
    assert await queries.page(client, "/oversight", caplog) == home
    assert "Grown 11" in queries.text
    assert await queries.page(client, "/oversight/overdue-notes", caplog) == overdue
    assert "Grown 11" in queries.text


async def test_it_pages_and_exports_the_audit_log_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "supervisor@demo.clinic")
    viewer = await queries.page(client, "/oversight/audit", caplog)
    export = await queries.page(client, "/oversight/audit.csv", caplog)
    supervisor = await User.get(email="supervisor@demo.clinic")
    await more_events(60, supervisor, action="patient.chart_viewed", patient_id=(await casey()).id)  # > a page (50)
    assert await queries.page(client, "/oversight/audit", caplog) == viewer
    assert "Older events" in queries.text
    assert await queries.page(client, "/oversight/audit.csv", caplog) == export  # still within one batch (1,000)
    assert queries.text.count("patient.chart_viewed") >= 60


async def test_it_lists_the_cosign_queue_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "supervisor@demo.clinic")
    before = await queries.page(client, "/oversight/cosign", caplog)
    await _more_notes(12, "cosign_pending")
    assert await queries.page(client, "/oversight/cosign", caplog) == before
    assert queries.text.count("Casey Morgan · infusion 1") == 12


async def test_it_lists_note_reviews_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "supervisor@demo.clinic")
    before = await queries.page(client, "/oversight/reviews", caplog)
    supervisor = await User.get(email="supervisor@demo.clinic")
    for note in await _more_notes(12, "signed"):
        await NoteReview.create(clinic_id=note.clinic_id, note=note, sampled_by=supervisor, sampled_at=note.signed_at)
    assert await queries.page(client, "/oversight/reviews", caplog) == before
    assert queries.text.count("Jordan Lee") >= 12


async def test_it_lists_break_glass_grants_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "supervisor@demo.clinic")
    before = await queries.page(client, "/oversight/break-glass", caplog)
    supervisor, therapist = (
        await User.get(email="supervisor@demo.clinic"),
        await User.get(email="therapist2@demo.clinic"),
    )
    patient = await Patient.get(mrn="DC-1001")
    for n in range(12):
        reviewed = {"reviewed_by": supervisor, "reviewed_at": patient.created_at} if n % 2 else {}
        await BreakGlass.create(
            clinic_id=patient.clinic_id,
            user=therapist,
            patient=patient,
            reason=f"Grown emergency {n}",
            granted_at=patient.created_at,
            expires_at=patient.created_at,
            **reviewed,
        )
    assert await queries.page(client, "/oversight/break-glass", caplog) == before
    assert "Grown emergency 11" in queries.text


async def test_it_shows_a_patient_who_read_their_record_in_constant_queries(client, demo, queries, caplog):
    await sign_in(client, "patient@demo.clinic")
    before = await queries.page(client, "/me", caplog)
    patient = await casey()
    for email in ("therapist2@demo.clinic", "supervisor@demo.clinic"):
        await more_events(8, await User.get(email=email), action="note.read", patient_id=patient.id)
    assert await queries.page(client, "/me", caplog) == before
    assert "Jordan Lee" in queries.text and "Priya Raman" in queries.text
