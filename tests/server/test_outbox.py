"""The outbox and mail, against a real SMTP server in-process (aiosmtpd): every message is sent once — run twice, or
by two workers at once — a failure stays queued until a later run delivers it, messages carry no clinical content,
and a forgotten password is reset by mail, once, with the same answer for any address."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import re
import socket
from datetime import timedelta
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from tortoise.transactions import in_transaction

from care.models import Patient
from journal.models import JournalEntry
from server import enrolment, outbox
from server.models import AuditEvent, Clinic, OutboxMessage, User
from tests.conftest import DEMO_PASSWORD, another, login, token
from tests.conftest import _actor as make_actor

NEW_PASSWORD = "lantern over the quiet bay"
LINK = re.compile(r"https?://[^\s\"]+/enrol/([A-Za-z0-9_-]{43})")


class Inbox:
    """An SMTP server's mailbox: it can be told to refuse the next messages, for a while or for good."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            return self.refuse.pop(0)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port  # type: ignore[attr-defined]
    yield inbox
    controller.stop()


@pytest.fixture
async def settings(settings, smtp):
    return dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{smtp.port}", public_url="https://journal.test")


def _body(message: Message) -> str:
    return "\n".join(
        part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_maintype() == "text"
    )


async def _ask_reset(client, address: str):
    csrf = await token(client, "/password-reset")
    return await client.post("/password-reset", data={"csrf_token": csrf, "email": address})


def _without_producers(app):
    """The app's message kinds without its producers: these tests count only the messages they cause (the
    reminders time makes due are tested in test_reminders.py)."""
    return dataclasses.replace(app.state.registry, producers=[])


async def _deliver(app, **kw):
    return await outbox.deliver_due(app.state.settings, _without_producers(app), **kw)


async def test_a_forgotten_password_is_reset_by_mail_once_with_the_same_answer_for_any_address(app, client, demo, smtp):
    known = await _ask_reset(client, "Patient@demo.clinic")
    unknown = await _ask_reset(client, "nobody@demo.clinic")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("Patient@demo.clinic", "X") == unknown.text.replace("nobody@demo.clinic", "X")
    assert "a link to choose a new password" in known.text and "on its way there" in known.text
    assert (await _deliver(app)).sent == 1
    [message] = smtp.messages
    assert message["To"] == "patient@demo.clinic" and message["Subject"] == "Reset your Afterglow password"
    assert message["Message-ID"].startswith("<outbox-") and message.get_content_type() == "multipart/alternative"
    link = LINK.search(_body(message)).group(1)
    assert LINK.search(_body(message)).group(0).startswith("https://journal.test/enrol/")
    async with another(client) as patient:
        assert "Choose a new password" in (await patient.get(f"/enrol/{link}")).text
        csrf = await token(patient, f"/enrol/{link}")
        data = {"csrf_token": csrf, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        assert (await patient.post(f"/enrol/{link}", data=data)).status_code == 303
        assert (await patient.post(f"/enrol/{link}", data=data)).status_code == 410  # once
        assert (await login(patient, "patient@demo.clinic", DEMO_PASSWORD)).status_code == 400
        assert (await login(patient, "patient@demo.clinic", NEW_PASSWORD)).status_code == 303
    assert await AuditEvent.filter(action="user.password_reset_requested").count() == 1
    assert await AuditEvent.filter(action="user.enrolled").count() == 1


async def test_asking_again_replaces_the_link_and_at_most_three_an_hour_are_sent(app, client, demo, smtp):
    for _ in range(5):
        assert (await _ask_reset(client, "patient2@demo.clinic")).status_code == 200
    assert await OutboxMessage.all().count() == 3
    assert (await _deliver(app)).__dict__ | {"errors": []} == {
        "sent": 1,
        "retried": 0,
        "failed": 0,
        "dropped": 2,
        "waiting": 0,
        "queued": 0,
        "errors": [],
    }  # the two replaced links are not sent: only the newest link works
    bad = await _ask_reset(client, "not an address")
    assert bad.status_code == 400 and "Enter the email address you sign in with" in bad.text


async def test_disabled_or_unapproved_accounts_get_no_reset_mail(app, client, demo, smtp):
    await User.filter(email="therapist2@demo.clinic").update(awaiting_approval=True)
    await User.filter(email="patient2@demo.clinic").update(disabled_at=app.state.settings.clock())
    for address in ("therapist2@demo.clinic", "patient2@demo.clinic"):
        assert "on its way" in (await _ask_reset(client, address)).text
    assert await OutboxMessage.all().count() == 0


async def _queue_links(app, *emails: str) -> None:
    """Reset links for these accounts, each queued as a message in the transaction that makes the link."""
    actor = make_actor(app.state.settings)
    async with in_transaction():
        for address in emails:
            user = await User.get(email=address)
            await enrolment.issue(actor, user, purpose="reset", lifetime=timedelta(hours=1), mail=True)


async def test_run_twice_or_by_two_workers_at_once_each_message_is_sent_once(app, demo, smtp):
    await _queue_links(app, "patient@demo.clinic", "patient2@demo.clinic", "therapist@demo.clinic")
    results = await asyncio.gather(_deliver(app, worker="one"), _deliver(app, worker="two"))
    assert sum(r.sent for r in results) == 3
    assert (await _deliver(app)).sent == 0
    assert sorted(m["To"] for m in smtp.messages) == [
        "patient2@demo.clinic",
        "patient@demo.clinic",
        "therapist@demo.clinic",
    ]
    assert await OutboxMessage.filter(sent_at__isnull=True).count() == 0


async def test_an_smtp_failure_leaves_the_message_queued_until_a_later_run_delivers_it(app, demo, smtp, clock):
    await _queue_links(app, "patient@demo.clinic")
    smtp.refuse = ["451 4.3.0 Try again later"]
    first = await _deliver(app)
    assert (first.sent, first.retried) == (0, 1) and smtp.messages == []
    row = await OutboxMessage.get()
    assert row.attempts == 1 and row.sent_at is None and "451" in row.last_error
    assert (await _deliver(app)).sent == 0  # not due yet: it backs off (2 minutes after the first failure)
    clock.advance(minutes=3)
    assert (await _deliver(app)).sent == 1 and len(smtp.messages) == 1


async def test_a_mail_server_that_is_down_or_refuses_for_good(app, demo, smtp, clock):
    await _queue_links(app, "patient@demo.clinic")
    down = dataclasses.replace(app.state.settings, smtp_url=f"smtp://127.0.0.1:{_free_port()}")
    assert (await outbox.deliver_due(down, _without_producers(app))).retried == 1
    clock.advance(minutes=3)
    smtp.refuse = ["550 5.1.1 No such mailbox"]
    done = await _deliver(app)
    assert (done.sent, done.failed) == (0, 1)
    row = await OutboxMessage.get()
    assert row.failed_at is not None and row.attempts == 2 and "550" in row.last_error
    clock.advance(hours=7)
    assert (await _deliver(app)).sent == 0  # given up: never sent later by surprise


async def test_without_smtp_messages_are_written_to_var_mail(app, demo, tmp_path):
    await _queue_links(app, "patient@demo.clinic")
    files = dataclasses.replace(app.state.settings, smtp_url="")
    assert (await outbox.deliver_due(files, _without_producers(app))).sent == 1
    [written] = list((tmp_path / "mail").glob("*.eml"))
    assert "Reset your Afterglow password" in written.read_text()


async def test_no_message_carries_a_name_clinic_or_clinical_words(app, client, demo, smtp):
    async with another(client) as admin:
        await login(admin, "admin@demo.clinic")
        csrf = await token(admin, "/admin/users")
        new = {"csrf_token": csrf, "name": "Kit Lowe", "email": "kit@demo.clinic", "role": "admin"}
        new["form_key"] = "k" * 24
        page = await admin.post("/admin/users/new", data=new)
        assert "A one-time link is on its way to kit@demo.clinic" in page.text and "/enrol/" not in page.text
    for address in ("patient@demo.clinic", "patient2@demo.clinic", "therapist@demo.clinic"):
        await _ask_reset(client, address)
    assert (await _deliver(app)).sent == 4
    names = [u.name for u in await User.all()] + [c.name for c in await Clinic.all()]
    words = [e.body[:30] for e in await JournalEntry.all() if len(e.body) > 30]
    clinical = ["ketamine", "esketamine", "spravato", "phq", "gad", "dose", "mg", "infusion", "journal entry"]
    for message in smtp.messages:
        text = (str(message["Subject"]) + _body(message)).lower()
        assert not [w for w in names + words + clinical if re.search(rf"\b{re.escape(w.lower())}\b", text)], text


async def test_with_mail_an_approved_account_gets_its_link_by_mail_and_the_supervisor_never_sees_it(
    app, client, demo, smtp
):
    async with another(client) as admin:
        await login(admin, "admin@demo.clinic")
        csrf = await token(admin, "/admin/users")
        new = {
            "csrf_token": csrf,
            "name": "Ana Ruiz",
            "email": "ana@demo.clinic",
            "role": "therapist",
            "form_key": "a" * 24,
        }
        assert "Waiting for a supervisor" in (await admin.post("/admin/users/new", data=new)).text
    ana = await User.get(email="ana@demo.clinic")
    await login(client, "supervisor@demo.clinic")
    csrf = await token(client, "/approvals")
    approval = await ana.approvals.all().first()
    page = await client.post(
        f"/approvals/{approval.id}", data={"csrf_token": csrf, "decision": "approve", "password": DEMO_PASSWORD}
    )
    assert "A one-time link is on its way to ana@demo.clinic" in page.text and "/enrol/" not in page.text
    assert (await _deliver(app)).sent == 1
    assert smtp.messages[0]["To"] == "ana@demo.clinic" and "Set your Afterglow password" in smtp.messages[0]["Subject"]


async def test_a_serving_worker_delivers_due_messages_by_itself(app, demo, smtp):
    await _queue_links(app, "patient@demo.clinic")
    serving = dataclasses.replace(app.state.settings, notify_interval_seconds=1)
    async with outbox.delivering(serving, _without_producers(app)):
        for _ in range(100):
            if smtp.messages:
                break
            await asyncio.sleep(0.05)
    assert len(smtp.messages) == 1
    assert await OutboxMessage.filter(sent_at__isnull=False).count() == 1


async def test_a_booking_sends_one_invitation_with_a_valid_calendar_file(app, client, demo, smtp):
    from icalendar import Calendar

    casey = await Patient.get(mrn="DC-1001").select_related("user")
    therapist = await User.get(email="therapist@demo.clinic")
    await login(client, "therapist@demo.clinic")
    csrf = await token(client, f"/patients/{casey.id}/bookings/new")
    data = {
        "csrf_token": csrf,
        "form_key": "b" * 24,
        "kind": "dosing",
        "starts_at": "2026-12-01T10:00",
        "room": "Chair 5",
        "staff": str(therapist.id),
    }
    assert (await client.post(f"/patients/{casey.id}/bookings/new", data=data)).status_code == 303
    await _deliver(app)
    await _deliver(app)
    invites = [m for m in smtp.messages if m["To"] == casey.user.email and m.get_content_type() == "multipart/mixed"]
    assert len(invites) == 1
    [ics] = [p for p in invites[0].walk() if p.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
    assert str(event["summary"]) == "Appointment"
    assert event.decoded("dtstart").isoformat() == "2026-12-01T15:00:00+00:00"


async def test_a_prompt_coming_due_sends_one_reminder_once_quiet_hours_end(app, demo, smtp, clock):
    from care.models import Infusion
    from server.models import NotificationPreference

    casey = await Patient.get(mrn="DC-1001").select_related("user")
    await Infusion.filter(patient_id=casey.id, number=6).update(started_at=clock.now - timedelta(hours=3))
    await NotificationPreference.create(user_id=casey.user_id, quiet_from=9, quiet_until=12, updated_at=clock.now)
    everything = app.state.registry  # with its producers: the reminder is queued by time, not by a request
    await outbox.deliver_due(app.state.settings, everything)
    reminders = [m for m in smtp.messages if m["Subject"] == "A new prompt in Afterglow"]
    assert reminders == []  # 10:00 in New York: quiet until 12:00
    clock.advance(hours=2, minutes=5)
    await outbox.deliver_due(app.state.settings, everything)
    await outbox.deliver_due(app.state.settings, everything)
    reminders = [m for m in smtp.messages if m["Subject"] == "A new prompt in Afterglow"]
    assert [m["To"] for m in reminders] == [casey.user.email]
