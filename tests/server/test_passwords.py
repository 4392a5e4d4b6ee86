from __future__ import annotations

import dataclasses

import pytest

from server.models import User
from server.passwords import Passwords, password_problem
from tests.conftest import DEMO_PASSWORD, login


@pytest.mark.parametrize(
    "password",
    [
        "eleven char",
        "password1234",
        "123456789012",
        "qwertyuiop123",
        "aaaaaaaaaaaaaaa",
        "ababababababab",
        "!!password!!!",
    ],
)
def test_it_rejects_short_common_and_repetitive_passwords(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize(
    "password", ["twelve chars", "маленький дом у реки", "🌅 sunrise over quiet water", "correcthorsebattery"]
)
def test_it_accepts_any_long_enough_uncommon_password_without_composition_rules(password):
    assert password_problem(password) is None


def test_it_rejects_the_users_own_name_or_email_and_the_service_name():
    assert password_problem("my name is samokafor!", name="Sam Okafor") is not None
    assert password_problem("therapist-rocks-2026", email="therapist@demo.clinic") is not None
    assert password_problem("my afterglow account") is not None


async def test_it_stores_argon2id_and_verifies_off_the_event_loop(settings):
    passwords = Passwords(settings)
    stored = await passwords.hash("a long walk by the river")
    assert stored.startswith("$argon2id$")
    assert await passwords.verify(stored, "a long walk by the river")
    assert not await passwords.verify(stored, "a long walk by the rivers")
    assert not await passwords.verify(None, "anything at all here")


async def test_it_rehashes_on_login_when_the_cost_parameters_change(app, client, demo):
    before = (await User.get(email="therapist@demo.clinic")).password_hash
    stronger = dataclasses.replace(app.state.settings, argon2_time_cost=2, argon2_memory_kib=2048)
    app.state.passwords = Passwords(stronger)
    assert (await login(client, "therapist@demo.clinic", DEMO_PASSWORD)).status_code == 303
    after = (await User.get(email="therapist@demo.clinic")).password_hash
    assert after != before and "m=2048,t=2" in after
    assert await Passwords(stronger).verify(after, DEMO_PASSWORD)


def test_the_production_defaults_meet_the_design_floor():
    from server.settings import Settings

    s = Settings()
    assert s.argon2_memory_kib >= 19 * 1024 and s.argon2_time_cost >= 2 and s.argon2_parallelism >= 1


async def test_hashes_run_one_at_a_time_in_a_thread_of_lower_priority_than_the_pages(settings):
    """A burst of sign-ins must leave CPU to signed-in people: each worker hashes in one thread of its own, niced
    ARGON2_NICENESS below the event loop's thread (Linux gives each thread its own nice value)."""
    import asyncio
    import os
    import threading

    passwords = Passwords(dataclasses.replace(settings, argon2_max_concurrent=1, argon2_niceness=7))
    seen: list[tuple[str, int, int]] = []
    running = 0
    plain_hash = passwords.hasher.hash

    def watched(text: str) -> str:
        nonlocal running
        running += 1
        seen.append((threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, 0), running))
        try:
            return plain_hash(text)
        finally:
            running -= 1

    passwords.hasher = type("Watched", (), {"hash": staticmethod(watched)})()  # type: ignore[assignment]
    loop_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    await asyncio.gather(*(passwords.hash(f"a long walk number {n}") for n in range(6)))
    assert len(seen) == 6
    assert {name.split("_")[0] for name, _, _ in seen} == {"argon2"}
    assert {nice for _, nice, _ in seen} == {min(loop_nice + 7, 19)}
    assert max(at_once for _, _, at_once in seen) == 1
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == loop_nice
