"""An intention before a dosing session: the patient is invited to write one, it starts shared, the therapist reads
it on the session's page, the infusion page and the note editor, and the first prompt after the session quotes it
back. Kept private, nobody else sees it."""

from __future__ import annotations

from urllib.parse import quote

from care.calendar_models import Booking
from care.models import Infusion, Patient
from journal.models import JournalEntry
from server.models import AuditEvent
from tests.care.conftest import sign_in
from tests.conftest import another
from tests.journal.conftest import HX, draft

WORDS = "To meet the grief with some softness"


async def _booking() -> Booking:
    casey = await Patient.get(mrn="DC-1001")
    return await Booking.get(patient_id=casey.id, kind="dosing", status="booked")


async def _write(client, csrf: str, booking: Booking, shared: bool = True) -> JournalEntry:
    ref = f"intention:{booking.id}"
    editor = await client.get(f"/journal/new?prompt={quote(ref)}")
    assert "what would you like to bring to it?" in editor.text
    assert 'id="f-shared" name="shared" type="checkbox" checked' in editor.text
    assert "Your therapist reads your intention before your session" in editor.text
    fields = {"kind": "intention", "prompt_ref": ref, "body": WORDS} | ({"shared": "on"} if shared else {})
    r = await client.post("/journal/new", data=draft(csrf, **fields), headers=HX)
    assert r.status_code == 200, r.text[:300]
    return await JournalEntry.get(prompt_ref=ref)


async def test_the_patient_is_invited_and_the_therapist_reads_it_before_and_after_the_session(client, demo, clock):
    booking = await _booking()
    csrf = await sign_in(client, "patient@demo.clinic")
    home = await client.get("/journal")
    assert "Write an intention for this session" in home.text
    entry = await _write(client, csrf, booking)
    assert entry.kind == "intention" and entry.shared and entry.prompt_text.startswith("Before your session on")
    assert "Your intention:" in (await client.get("/journal")).text and WORDS in (await client.get("/journal")).text
    async with another(client) as therapist:
        await sign_in(therapist, "therapist@demo.clinic")
        page = await therapist.get(f"/bookings/{booking.id}")
        assert "The patient's intention" in page.text and WORDS in page.text
        shown = await AuditEvent.filter(action="journal.shared_viewed").order_by("-seq").first()
        assert shown.detail == {"entries": [entry.id]}
    async with another(client) as nurse:  # the nurse who gives the dose records it from the booked session
        n_csrf = await sign_in(nurse, "nurse@demo.clinic")
        data = {
            "csrf_token": n_csrf,
            "form_key": "i" * 24,
            "booking_id": str(booking.id),
            "number": "7",
            "phase": "dosing",
            "scheduled_at": "2026-11-24T10:00",
            "route": "iv",
            "agent": "racemic_ketamine",
            "dose_mg_per_kg": "0.5",
            "weight_kg": "70",
        }
        r = await nurse.post(f"/patients/{booking.patient_id}/infusions/new", data=data)
        assert r.status_code == 303, r.text[:500]
    infusion = await Infusion.get(patient_id=booking.patient_id, number=7)
    assert (await Booking.get(id=booking.id)).infusion_id == infusion.id
    async with another(client) as therapist:
        await sign_in(therapist, "therapist@demo.clinic")
        assert WORDS in (await therapist.get(f"/infusions/{infusion.id}")).text
        assert WORDS in (await therapist.get(f"/infusions/{infusion.id}/notes/new")).text
    await Infusion.filter(id=infusion.id).update(started_at=clock.now)  # the dose was given now...
    clock.advance(hours=2)  # ...and two hours later the first prompt quotes the intention back
    await sign_in(client, "patient@demo.clinic")
    home = await client.get("/journal")
    assert f"You came in wanting “{WORDS}”" in home.text and "What do you notice now?" in home.text


async def test_a_private_intention_stays_with_the_patient(client, demo):
    booking = await _booking()
    csrf = await sign_in(client, "patient@demo.clinic")
    entry = await _write(client, csrf, booking, shared=False)
    assert not entry.shared
    async with another(client) as therapist:
        await sign_in(therapist, "therapist@demo.clinic")
        page = await therapist.get(f"/bookings/{booking.id}")
        assert WORDS not in page.text and "None shared for this session yet" in page.text


async def test_an_intention_prompt_for_someone_elses_or_a_past_session_opens_a_plain_editor(client, demo, clock):
    booking = await _booking()
    await sign_in(client, "patient2@demo.clinic")
    editor = await client.get(f"/journal/new?prompt={quote(f'intention:{booking.id}')}")
    assert editor.status_code == 200 and "what would you like to bring" not in editor.text
    clock.advance(days=3)  # the session has ended
    await sign_in(client, "patient@demo.clinic")
    editor = await client.get(f"/journal/new?prompt={quote(f'intention:{booking.id}')}")
    assert "what would you like to bring" not in editor.text
