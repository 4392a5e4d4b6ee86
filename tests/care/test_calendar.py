"""The clinic calendar: booking a session, the day and week views, no chair or clinician booked twice (even when
two tabs book at the same moment), a session's status from check-in to completion, recording the infusion completing
its booking, the patient's next session with its checklist, and a neutral invitation through the outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from icalendar import Calendar

from care import invites
from care.calendar_models import Booking
from care.models import Infusion
from server.models import AuditEvent, OutboxMessage, User
from tests.care.conftest import casey, sign_in
from tests.conftest import another, login, token

WHEN = "2026-12-01T10:00"  # a Tuesday, in the clinic's time zone (America/New_York)


async def _book(client, csrf: str, patient_id: int, **fields):
    therapist = await User.get(email="therapist@demo.clinic")
    data = {"csrf_token": csrf, "kind": "dosing", "starts_at": WHEN, "room": "Chair 3", "staff": str(therapist.id)}
    return await client.post(f"/patients/{patient_id}/bookings/new", data=data | fields)


async def test_a_booked_session_is_on_the_week_with_an_invitation_and_on_the_patients_home(app, client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await _book(client, csrf, patient.id)
    assert r.status_code == 303, r.text
    booking = await Booking.filter(patient_id=patient.id).order_by("-id").first()
    assert booking.starts_at.isoformat() == "2026-12-01T15:00:00+00:00" and booking.room == "Chair 3"
    week = await client.get("/calendar?view=week&date=2026-12-03")
    assert week.status_code == 200 and "Week of 30 Nov 2026" in week.text
    assert "10:00–12:00 · Chair 3" in week.text and patient.user.name in week.text
    viewed = await AuditEvent.filter(action="calendar.viewed").order_by("-seq").first()
    assert viewed.detail == {"patients": [patient.id], "view": "week"}
    [message] = await OutboxMessage.filter(kind="booking_invite")
    assert message.to_address == patient.user.email and message.payload == {"booking": booking.id, "method": "request"}
    rendered = await invites.render_invite(app.state.settings, message.payload)
    event = Calendar.from_ical(rendered.ics).walk("VEVENT")[0]
    assert str(event["summary"]) == "Appointment"
    assert event.decoded("dtstart").isoformat() == "2026-12-01T15:00:00+00:00"
    words = (rendered.subject + rendered.text + rendered.ics.decode()).lower()
    assert all(w not in words for w in (patient.user.name.lower(), "ketamine", "infusion", "dosing", "demo clinic"))
    async with another(client) as me:
        await login(me, "patient@demo.clinic")
        home = await me.get("/journal")
        assert "Your next session" in home.text and "Before you come" in home.text
        assert "Someone to take you home afterwards" in home.text


async def test_no_chair_and_no_clinician_is_booked_twice_even_from_two_tabs_at_once(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    answers = await asyncio.gather(*(_book(client, csrf, patient.id) for _ in range(4)))  # four forms, four keys
    assert sorted(r.status_code for r in answers) == [303, 409, 409, 409]
    refused = next(r for r in answers if r.status_code == 409)
    assert "Chair 3 is already booked at that time" in refused.text
    assert await Booking.filter(room="Chair 3", starts_at__gt=datetime(2026, 12, 1, tzinfo=UTC)).count() == 1
    other_chair = await _book(client, csrf, patient.id, room="Chair 4", starts_at="2026-12-01T11:00")
    assert other_chair.status_code == 409 and "Sam Okafor already has a session then" in other_chair.text
    assert 'value="Chair 4"' in other_chair.text  # what was typed is kept
    later = await _book(client, csrf, patient.id, starts_at="2026-12-01T12:00")  # right after: no overlap
    assert later.status_code == 303


async def test_bad_booking_input_is_explained_beside_each_field(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    r = await _book(client, csrf, patient.id, kind="party", starts_at="someday", room="", staff="abc", minutes="5")
    assert r.status_code == 400
    for message in ("Choose", "as a date and time", "Choose the staff who will attend", "between 15 and 600"):
        assert message in r.text, message
    assert not await Booking.filter(patient_id=patient.id, room="").exists()


async def test_a_session_moves_on_and_is_cancelled_with_a_reason_once(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "therapist@demo.clinic")
    await _book(client, csrf, patient.id, kind="integration", room="")
    booking = await Booking.filter(patient_id=patient.id, kind="integration").first()
    status = f"/bookings/{booking.id}/status"
    r = await client.post(status, data={"csrf_token": csrf, "status": "checked_in", "version": "1"})
    assert r.status_code == 303 and (await Booking.get(id=booking.id)).status == "checked_in"
    stale = await client.post(status, data={"csrf_token": csrf, "status": "cancelled", "version": "1", "reason": "x"})
    assert stale.status_code == 409 and "changed this session meanwhile" in stale.text
    bare = await client.post(status, data={"csrf_token": csrf, "status": "cancelled", "version": "2"})
    assert bare.status_code == 400 and "Say why" in bare.text
    cancel = {"csrf_token": csrf, "status": "cancelled", "version": "2", "reason": "Unwell today"}
    assert (await client.post(status, data=cancel)).status_code == 303
    assert (await client.post(status, data=cancel)).status_code == 303  # sent twice: answered as done
    assert (await Booking.get(id=booking.id)).status_reason == "Unwell today"
    sent = await OutboxMessage.filter(kind="booking_invite").values_list("payload", flat=True)
    assert sorted(p["method"] for p in sent) == ["cancel", "request"]
    changed = await AuditEvent.filter(action="booking.status_changed").values_list("detail", flat=True)
    assert changed == [{"from": "booked", "to": "checked_in"}, {"from": "checked_in", "to": "cancelled"}]


async def test_recording_the_infusion_completes_its_booked_session(client, demo):
    patient = await casey()
    csrf = await sign_in(client, "nurse@demo.clinic")
    booking = await Booking.filter(patient_id=patient.id, status="booked").first()  # the demo's, two days ahead
    form = await client.get(f"/patients/{patient.id}/infusions/new?booking={booking.id}")
    assert "Recording this completes the session booked for" in form.text
    assert f'name="booking_id" value="{booking.id}"' in form.text
    data = {
        "csrf_token": csrf,
        "form_key": "f" * 24,
        "booking_id": str(booking.id),
        "number": "7",
        "phase": "dosing",
        "scheduled_at": "2026-11-24T10:00",
        "route": "iv",
        "agent": "racemic_ketamine",
        "dose_mg_per_kg": "0.5",
        "weight_kg": "70",
    }
    r = await client.post(f"/patients/{patient.id}/infusions/new", data=data)
    assert r.status_code == 303, r.text
    infusion = await Infusion.get(patient_id=patient.id, number=7)
    done = await Booking.get(id=booking.id)
    assert done.status == "completed" and done.infusion_id == infusion.id
    page = await client.get(f"/bookings/{booking.id}")
    assert "Open the record" in page.text and "Record infusion" not in page.text


async def test_staff_see_other_teams_sessions_only_as_booked_and_patients_see_no_calendar(client, demo):
    csrf = await sign_in(client, "therapist2@demo.clinic")
    assert csrf
    week = await client.get("/calendar?date=2026-11-24")
    patient = await casey()
    assert week.status_code == 200 and patient.user.name not in week.text and "Booked" in week.text
    async with another(client) as supervisor:
        await login(supervisor, "supervisor@demo.clinic")
        assert patient.user.name in (await supervisor.get("/calendar?date=2026-11-24")).text
    async with another(client) as me:
        await login(me, "patient@demo.clinic")
        assert (await me.get("/calendar")).status_code == 403
    assert (await client.get("/calendar?date=not-a-date&clinician=99999999999")).status_code == 200


async def test_a_clinic_words_its_own_checklist(client, demo):
    await login(client, "admin@demo.clinic")
    csrf = await token(client, "/admin/settings")
    page = await client.get("/admin/settings")
    assert "Before a dosing session" in page.text
    version = page.text.split('name="settings_version" value="')[1].split('"')[0]
    data = {
        "csrf_token": csrf,
        "settings_version": version,
        "note_signing_hours": "72",
        "escalation_hours": "24",
        "escalation_hours_cssrs_high": "1",
        "prompt_schedule_hours": "2, 24, 72, 168",
        "crisis_phone": "",
        "crisis_text": "",
        "calendar_title": "Visit",
        "preparation_checklist": "Eat lightly the night before\n\nBring socks",
    }
    assert (await client.post("/admin/settings", data=data)).status_code == 303
    empty = await client.post("/admin/settings", data=data | {"preparation_checklist": " ", "settings_version": "99"})
    assert empty.status_code == 400 and "Enter the preparation checklist" in empty.text
    async with another(client) as me:
        await login(me, "patient@demo.clinic")
        home = (await me.get("/journal")).text
        assert "Eat lightly the night before" in home and "Bring socks" in home and "four hours" not in home
