"""Password hashing (argon2id, off the event loop) and NIST SP 800-63B style password rules."""

from __future__ import annotations

import asyncio
import os
import re
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.settings import Settings

MIN_LENGTH = 12  # NIST SP 800-63B: length over complexity; any Unicode, no composition rules, common ones blocked.
MAX_LENGTH = 256  # bounds hashing work per request
CONTEXT_WORDS = ("afterglow",)
T = TypeVar("T")


@lru_cache(maxsize=1)
def _blocklist() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from public breach corpora.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return why a new password is not acceptable, or None when it is."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few unrelated words make a strong, memorable password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    if lowered in _blocklist() or (core and core in _blocklist()) or len(set(lowered)) < 4 or _sequential(lowered):
        return "This password is too common or too easy to guess. Choose something less predictable."
    local = email.split("@", 1)[0].lower()
    context = [w for w in (*CONTEXT_WORDS, local, name.lower().replace(" ", "")) if len(w) >= 4]
    if any(word in lowered.replace(" ", "") for word in context):
        return "Don't use your name, your email or the name of this service in your password."
    return None


def _sequential(text: str) -> bool:
    """Mostly runs like "123456789012" or "abcdefghijkl" (NIST: no sequential characters)."""
    steps = [abs(ord(b) - ord(a)) <= 1 for a, b in zip(text, text[1:], strict=False)]
    return sum(steps) >= 0.75 * len(steps)


def _lower_priority(niceness: int) -> None:
    """Runs in each hashing thread as it starts: on Linux a thread has its own nice value, so raising it here leaves
    the event loop's thread (pages, autosaves) at full priority while sign-ins wait for spare CPU."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except (AttributeError, OSError):  # not Linux, or not permitted: hashes run at normal priority
        pass


class Passwords:
    """argon2id hasher whose work runs in its own threads, a bounded number at a time, at a lower CPU priority
    than the pages (ARGON2_NICENESS): a flood of sign-ins, honest or guessing, cannot starve signed-in people."""

    def __init__(self, settings: Settings) -> None:
        self.hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        self._threads = settings.argon2_max_concurrent
        self._niceness = settings.argon2_niceness
        self._pool: ThreadPoolExecutor | None = None
        # Verified against when the email is unknown, so both paths cost the same (no account enumeration by timing).
        self._dummy_hash: str | None = None

    async def _run(self, work: Callable[[], T]) -> T:
        if self._pool is None:  # made on first use: command-line actors that never hash start no threads
            self._pool = ThreadPoolExecutor(
                self._threads, "argon2", initializer=_lower_priority, initargs=(self._niceness,)
            )
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    async def hash(self, password: str) -> str:
        text = normalise(password)
        return await self._run(lambda: self.hasher.hash(text))

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        if stored_hash is None:
            if self._dummy_hash is None:
                self._dummy_hash = await self.hash("afterglow-timing-equaliser")
            stored_hash = self._dummy_hash
            await self._verify(stored_hash, password)
            return False
        return await self._verify(stored_hash, password)

    async def _verify(self, stored_hash: str, password: str) -> bool:
        def check() -> bool:
            try:
                return self.hasher.verify(stored_hash, normalise(password))
            except (VerificationError, InvalidHashError):
                return False

        return await self._run(check)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self.hasher.check_needs_rehash(stored_hash)
