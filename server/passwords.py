"""Password hashing (argon2id, off the event loop) and NIST SP 800-63B style password rules."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.settings import Settings

MIN_LENGTH = 12  # NIST SP 800-63B: length over complexity; any Unicode, no composition rules, common ones blocked.
MAX_LENGTH = 256  # bounds hashing work per request
CONTEXT_WORDS = ("afterglow",)


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


class Passwords:
    """argon2id hasher whose work runs in worker threads, a bounded number at a time."""

    def __init__(self, settings: Settings) -> None:
        self.hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        self.limiter = anyio.CapacityLimiter(settings.argon2_max_concurrent)
        # Verified against when the email is unknown, so both paths cost the same (no account enumeration by timing).
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self.hasher.hash, normalise(password), limiter=self.limiter)

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

        return await anyio.to_thread.run_sync(check, limiter=self.limiter)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self.hasher.check_needs_rehash(stored_hash)
