from __future__ import annotations

import httpx

from server.models import AuditEvent, LoginFailure
from tests.conftest import csrf_from, login

GENERIC = "That email or password is wrong."


async def _attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    page = await client.get("/login")
    return await client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)})


def _error_text(html: str) -> str:
    start = html.index('<div class="alert alert-error"')
    return html[start : html.index("</div>", start)]


async def test_it_gives_the_same_message_for_unknown_and_known_emails(client, demo):
    unknown = await _attempt(client, "nobody@demo.clinic", "wrong password here")
    known = await _attempt(client, "therapist@demo.clinic", "wrong password here")
    assert unknown.status_code == known.status_code == 400
    assert GENERIC in unknown.text
    assert _error_text(unknown.text) == _error_text(known.text)


async def test_it_keeps_the_email_typed_after_a_failure(client, demo):
    r = await _attempt(client, "therapist@demo.clinic", "wrong password here")
    assert 'value="therapist@demo.clinic"' in r.text
    assert "wrong password here" not in r.text


async def test_it_returns_429_after_five_failures_for_one_account(client, demo, clock):
    for _ in range(5):
        assert (await _attempt(client, "therapist@demo.clinic", "wrong password here")).status_code == 400
    r = await login(client, "therapist@demo.clinic")  # even the right password waits
    assert r.status_code == 429
    assert 0 < int(r.headers["retry-after"]) <= 15 * 60
    assert await AuditEvent.filter(action="auth.login_throttled").count() == 1
    clock.advance(minutes=15, seconds=1)
    assert (await login(client, "therapist@demo.clinic")).status_code == 303


async def test_it_throttles_unknown_emails_too_so_429_reveals_nothing(client, demo):
    for _ in range(5):
        await _attempt(client, "nobody@demo.clinic", "wrong password here")
    assert (await _attempt(client, "nobody@demo.clinic", "wrong password here")).status_code == 429


async def test_it_throttles_one_ip_trying_many_accounts(client, demo):
    for n in range(20):
        await _attempt(client, f"guess{n}@demo.clinic", "wrong password here")
    assert (await login(client, "patient@demo.clinic")).status_code == 429


async def test_it_keeps_the_count_in_the_database_shared_by_all_workers(client, demo):
    for _ in range(3):
        await _attempt(client, "therapist@demo.clinic", "wrong password here")
    assert await LoginFailure.filter(scope="account", key="therapist@demo.clinic").count() == 3
    assert await LoginFailure.filter(scope="ip", key="203.0.113.7").count() == 3


async def test_it_clears_the_account_count_after_a_success(client, demo):
    for _ in range(4):
        await _attempt(client, "therapist@demo.clinic", "wrong password here")
    assert (await login(client, "therapist@demo.clinic")).status_code == 303
    assert await LoginFailure.filter(scope="account", key="therapist@demo.clinic").count() == 0


async def test_it_audits_failures_without_storing_the_typed_email(client, demo):
    await _attempt(client, "Typo@Demo.Clinic ", "wrong password here")
    event = await AuditEvent.filter(action="auth.login_failed").first()
    assert event is not None and event.outcome == "denied" and event.detail == {"reason": "unknown_email"}
    assert event.ip == "203.0.113.7"


async def test_it_matches_emails_case_insensitively(client, demo):
    r = await login(client, "  Therapist@DEMO.clinic ")
    assert r.status_code == 303


async def test_it_refuses_a_disabled_account_with_the_generic_message(client, demo, clock):
    from server.models import User

    await User.filter(email="therapist2@demo.clinic").update(disabled_at=clock())
    r = await login(client, "therapist2@demo.clinic")
    assert r.status_code == 400 and GENERIC in r.text
