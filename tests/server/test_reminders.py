"""Reminders: a prompt falling due, a questionnaire before a session and the staff's morning summary are each sent
once (however often delivery runs), wait out quiet hours, are dropped when answered first or turned off, and never
carry a name, the clinic or anything clinical. People choose them on /me/reminders."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from care.models import Infusion, MeasureResponse, Patient
from journal.models import JournalEntry
from server import outbox
from server.mail import Rendered
from server.models import Clinic, NotificationPreference, OutboxMessage, User
from server.settings import Settings
from tests.conftest import another, login, token


class Sent:
    """A transport that keeps what it was given."""

    def __init__(self) -> None:
        self.messages: list = []

    async def send(self, message) -> None:
        self.messages.append(message)


async def _run(app, sent: Sent):
    return await outbox.deliver_due(app.state.settings, app.state.registry, transport=sent)


async def _fresh_session(clock) -> Infusion:
    """Casey's session 6, started three hours ago (its 2-hour prompt fell due an hour ago)."""
    patient = await Patient.get(mrn="DC-1001")
    infusion = await Infusion.get(patient_id=patient.id, number=6)
    await Infusion.filter(id=infusion.id).update(started_at=clock.now - timedelta(hours=3))
    return infusion


def _of(sent: Sent, kind_subject: str) -> list:
    return [m for m in sent.messages if m["Subject"] == kind_subject]


async def test_a_prompt_falling_due_is_reminded_once_and_dropped_when_answered_first(app, demo, clock):
    infusion = await _fresh_session(clock)
    sent = Sent()
    first = await _run(app, sent)
    assert first.queued >= 1
    [reminder] = _of(sent, "A new prompt in Afterglow")
    assert reminder["To"] == "patient@demo.clinic" and reminder["List-Unsubscribe"].endswith("/me/reminders>")
    await _run(app, sent)
    await _run(app, sent)
    assert len(_of(sent, "A new prompt in Afterglow")) == 1  # run three times: sent once
    clock.advance(hours=23)  # the 24-hour prompt has fallen due (09:00 in New York); Casey answered it first
    patient = await Patient.get(mrn="DC-1001")
    await JournalEntry.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        kind="post_session",
        draft_key="k" * 20,
        body="calm",
        prompt_ref=f"schedule:{infusion.id}:24",
        created_at=clock.now,
        updated_at=clock.now,
    )
    done = await _run(app, sent)
    assert done.dropped >= 1 and len(_of(sent, "A new prompt in Afterglow")) == 1


async def test_quiet_hours_hold_a_reminder_until_they_end_and_turning_it_off_drops_it(app, client, demo, clock):
    await _fresh_session(clock)  # now: 10:00 in New York
    casey = await User.get(email="patient@demo.clinic")
    await NotificationPreference.create(user=casey, quiet_from=9, quiet_until=12, updated_at=clock.now)
    sent = Sent()
    held = await _run(app, sent)
    assert held.waiting >= 1 and not _of(sent, "A new prompt in Afterglow")
    row = await OutboxMessage.get(kind="prompt_reminder")
    assert row.attempts == 0 and row.next_attempt_at.isoformat() == "2026-11-22T17:00:00+00:00"  # 12:00 New York
    clock.advance(hours=2, minutes=1)
    await _run(app, sent)
    assert len(_of(sent, "A new prompt in Afterglow")) == 1
    await NotificationPreference.filter(user=casey).update(off=["prompts"])
    clock.advance(hours=22)  # the 24-hour prompt: turned off
    await _run(app, sent)
    assert len(_of(sent, "A new prompt in Afterglow")) == 1
    assert await OutboxMessage.filter(kind="prompt_reminder", last_error__contains="turned off").count() == 1


async def test_a_questionnaire_is_asked_for_before_a_session_unless_answered_lately(app, demo, clock):
    casey = await Patient.get(mrn="DC-1001")
    await MeasureResponse.filter(patient_id=casey.id).update(taken_at=clock.now - timedelta(days=30))
    sent = Sent()
    await _run(app, sent)
    asked = _of(sent, "A short questionnaire before your appointment")
    assert [m["To"] for m in asked].count("patient@demo.clinic") == 1
    await _run(app, sent)
    assert len(_of(sent, "A short questionnaire before your appointment")) == len(asked)


async def test_staff_get_one_morning_summary_with_counts_only(app, demo, clock):
    sent = Sent()
    await _run(app, sent)
    await _run(app, sent)
    summaries = _of(sent, "Your Afterglow morning summary")
    to = sorted(m["To"] for m in summaries)
    assert "therapist@demo.clinic" in to and len(to) == len(set(to))  # one each
    assert not any(m["To"].startswith(("patient", "admin")) for m in summaries)
    body = summaries[0].get_body(("plain",)).get_content()
    assert re.search(r"\d+ (notes? to finish|alerts? to acknowledge)", body)


async def test_no_reminder_names_anyone_or_anything_clinical(app, demo, clock):
    await _fresh_session(clock)
    await MeasureResponse.all().update(taken_at=clock.now - timedelta(days=30))
    sent = Sent()
    await _run(app, sent)
    assert len(sent.messages) >= 3
    names = [u.name for u in await User.all()] + [c.name for c in await Clinic.all()]
    clinical = ["ketamine", "esketamine", "phq", "gad", "dose", "infusion", "depression", "suicid"]
    for message in sent.messages:
        text = (message["Subject"] + message.get_body(("plain",)).get_content()).lower()
        assert not [w for w in names + clinical if w.lower() in text], text


async def test_people_choose_their_reminders(client, demo):
    await login(client, "patient@demo.clinic")
    page = await client.get("/me/reminders")
    assert "New prompts to write" in page.text and "Calendar invitations" in page.text
    assert "morning summary" not in page.text
    csrf = await token(client, "/me/reminders")
    data = {"csrf_token": csrf, "email": "on", "topics": ["sessions"], "quiet_from": "22", "quiet_until": "7"}
    saved = await client.post("/me/reminders", data=data)
    assert saved.status_code == 200 and "Saved" in saved.text
    pref = await NotificationPreference.get(user__email="patient@demo.clinic")
    assert pref.email and pref.off == ["measures", "prompts", "replies", "summaries"]
    assert (pref.quiet_from, pref.quiet_until) == (22, 7)
    bad = await client.post("/me/reminders", data=data | {"quiet_from": "25"})
    assert bad.status_code == 400
    async with another(client) as staff:
        await login(staff, "therapist@demo.clinic")
        assert "morning summary" in (await staff.get("/me/reminders")).text


def test_quiet_hours_across_midnight():
    late, early, noon = (datetime(2026, 1, 1, h, 30) for h in (23, 3, 12))
    assert outbox.quiet_until(late, 21, 8) == datetime(2026, 1, 2, 8)
    assert outbox.quiet_until(early, 21, 8) == datetime(2026, 1, 1, 8)
    assert outbox.quiet_until(noon, 21, 8) is None
    assert outbox.quiet_until(noon, 8, 8) is None  # the same hour twice: no quiet hours
    assert isinstance(outbox.reminder(Settings(secret_key="x"), "s", "l"), Rendered)
