"""Pages that show a patient's data write exactly one read event, and writes do not add reads of their own: the
infusion forms and the review list (which wrote none), and a note's autosave (which also wrote a note.read)."""

from __future__ import annotations

from care.models import Infusion
from notes.models import IntegrationNote
from server.models import AuditEvent
from tests.care.conftest import casey, last_infusion, sign_in
from tests.notes.conftest import HX, casey_infusion, note_form


async def _events(**where: object) -> list[tuple[str, dict]]:
    return list(await AuditEvent.filter(**where).order_by("seq").values_list("action", "detail"))


async def test_the_infusion_forms_write_one_read_event_each(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    infusion = await last_infusion(patient)
    before = await AuditEvent.all().count()
    assert (await client.get(f"/infusions/{infusion.id}/edit")).status_code == 200
    assert (await client.get(f"/patients/{patient.id}/infusions/new")).status_code == 200
    events = await _events(seq__gt=before)
    assert events == [("infusion.form_viewed", {"form": "edit"}), ("infusion.form_viewed", {"form": "new"})]
    edit = await AuditEvent.filter(seq__gt=before, action="infusion.form_viewed").order_by("seq").first()
    assert edit.patient_id == patient.id and edit.object_id == str(infusion.id)


async def test_the_review_list_writes_a_read_event_naming_its_notes(client, demo):
    csrf = await sign_in(client, "supervisor@demo.clinic")
    await client.post("/oversight/reviews", data={"csrf_token": csrf, "count": "5", "days": "30"})
    before = await AuditEvent.all().count()
    assert (await client.get("/oversight/reviews")).status_code == 200
    [(action, detail)] = await _events(seq__gt=before)
    assert action == "review.list_viewed" and len(detail["notes"]) == 2


async def test_a_note_autosave_writes_the_save_and_no_read(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    infusion: Infusion = await casey_infusion()
    data = note_form(csrf)
    assert (await client.post(f"/infusions/{infusion.id}/notes/new", data=data)).status_code == 303
    note = await IntegrationNote.get(draft_key=data["draft_key"])
    before = await AuditEvent.all().count()
    saved = await client.post(f"/notes/{note.id}/draft", data={**data, "version": "1", "s_plan": "Walk."}, headers=HX)
    assert saved.status_code == 200
    assert [action for action, _ in await _events(seq__gt=before)] == ["note.saved"]
