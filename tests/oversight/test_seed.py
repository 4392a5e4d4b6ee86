from __future__ import annotations

from benchmarks.seed import seed
from care.models import Infusion, Patient, VitalSign
from journal.models import JournalEntry
from notes.models import IntegrationNote
from notes.service import verify_signed
from server import audit
from server.models import AuditEvent, Clinic
from tests.care.conftest import sign_in


async def test_seeding_is_proportional_keeps_the_chain_valid_and_signs_notes(app, demo, settings):
    lines = await seed(settings, 0.01)
    clinic = await Clinic.get(slug="scale.clinic")
    assert await Patient.filter(clinic_id=clinic.id).count() == 10
    assert await Infusion.filter(clinic_id=clinic.id).count() == 120
    assert await VitalSign.filter(infusion__clinic_id=clinic.id).count() == 840
    assert await JournalEntry.filter(clinic_id=clinic.id).count() == 1000
    assert await AuditEvent.filter(clinic_id=clinic.id).count() == 10_000
    assert (await audit.verify(settings.audit_key)).ok
    notes = await IntegrationNote.filter(clinic_id=clinic.id)
    assert len(notes) == 200 and all([await verify_signed(n) for n in notes])
    assert "rows/s" in lines[-1]


async def test_seeded_pages_stay_constant_in_queries(client, app, demo, settings, queries, caplog):
    await seed(settings, 0.01)
    await sign_in(client, "supervisor@scale.clinic")
    with queries.counting(caplog):
        first = await client.get("/oversight/audit")
    first_count = queries.count
    deep_seq = (await AuditEvent.filter(action="auth.login").order_by("seq").offset(100).first()).seq
    with queries.counting(caplog):
        deep = await client.get(f"/oversight/audit?before={deep_seq}")
    assert first.status_code == deep.status_code == 200 and queries.count == first_count
