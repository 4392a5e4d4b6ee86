"""Throttles that hold when attempts arrive at once: each attempt is reserved before its password is checked, so 40
parallel wrong passwords for one account get at most 5 checks; step-up passwords count against the same limit."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from notes.models import ProcessNote
from tests.care.conftest import casey, sign_in
from tests.conftest import csrf_from


@pytest.fixture
def checks(app, monkeypatch) -> list[str]:
    """Every password the app actually verifies (argon2 runs), in order."""
    seen: list[str] = []
    passwords = app.state.passwords
    verify = passwords.verify

    async def counting(stored: str | None, password: str) -> bool:
        seen.append(password)
        return await verify(stored, password)

    monkeypatch.setattr(passwords, "verify", counting)
    return seen


async def test_forty_wrong_passwords_at_once_get_at_most_five_checks(client, demo, checks):
    csrf = csrf_from((await client.get("/login")).text)
    data = {"email": "therapist@demo.clinic", "password": "wrong password here", "csrf_token": csrf}
    answers = await asyncio.gather(*(client.post("/login", data=data) for _ in range(40)))
    assert len(checks) <= 5
    assert sorted({a.status_code for a in answers}) == [400, 429]
    assert sum(a.status_code == 400 for a in answers) == len(checks)
    assert all(int(a.headers["retry-after"]) > 0 for a in answers if a.status_code == 429)


async def test_wrong_step_up_passwords_are_throttled_after_five(client, demo, checks):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    made = await client.post(f"/patients/{patient.id}/process-notes", data={"csrf_token": csrf, "body": "Private."})
    note = await ProcessNote.get(id=int(made.headers["location"].rsplit("/", 1)[1]))
    checks.clear()
    statuses = []
    for _ in range(15):
        r = await client.post(f"/process-notes/{note.id}/open", data={"csrf_token": csrf, "password": "guess"})
        statuses.append(r.status_code)
    assert statuses == [400] * 5 + [429] * 10 and len(checks) == 5
    right_one = {"csrf_token": csrf, "password": "quiet-harbor-lantern"}
    right = await client.post(f"/process-notes/{note.id}/open", data=right_one)
    assert right.status_code == 429 and "Private." not in right.text  # still waiting: the right guess is not tried


async def test_a_correct_password_releases_its_reservation(client, demo, checks):
    for _ in range(10):  # ten good sign-ins in a row never add up to a throttle
        fresh = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
        async with fresh:
            assert (await sign_in(fresh, "therapist@demo.clinic")) != ""
