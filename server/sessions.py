"""Server-side sessions: the browser holds a random token, the database holds only its SHA-256."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from server import compiled
from server.models import Session, User
from server.settings import Settings

# A sign-in waiting for its second factor (stage "code") lasts this long: then the password is asked again.
SECOND_STEP_LIFETIME = timedelta(minutes=5)
# last_seen_at is written at most this often, so browsing is not a write per request; idle expiry is exact to ±30 s.
TOUCH_INTERVAL = timedelta(seconds=30)


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(
    user: User, now: datetime, ip: str, user_agent: str, stage: str = "", csrf: str = ""
) -> tuple[str, Session]:
    """A new session and its token. `csrf`: the CSRF token to keep (a sign-in's code step hands its own on, so a
    form sent twice from that page is answered as signed in rather than refused)."""
    token = new_token()
    session = await Session.create(
        token_hash=token_hash(token),
        user=user,
        csrf_token=csrf or secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        ip=ip[:64],
        user_agent=user_agent[:300],
        stage=stage,
    )
    return token, session


@dataclass(frozen=True)
class Loaded:
    session: Session | None
    expired: bool = False


async def load(settings: Settings, token: str | None, now: datetime) -> Loaded:
    """Find the session for a cookie value; one past its idle or absolute limit comes back marked expired."""
    if not token or len(token) > 100:
        return Loaded(None)
    session = await _find(token_hash(token))
    if session is None or not session.user.is_active:
        return Loaded(None)
    idle = now - session.last_seen_at > timedelta(seconds=settings.session_idle_seconds)
    too_old = now - session.created_at > timedelta(seconds=settings.session_absolute_seconds)
    too_old |= bool(session.stage) and now - session.created_at > SECOND_STEP_LIFETIME
    if idle or too_old:
        return Loaded(session, expired=True)
    if now - session.last_seen_at > TOUCH_INTERVAL:
        await touch(session, now)
    return Loaded(session)


async def touch(session: Session, now: datetime) -> None:
    """Count the session as used now (its idle clock starts again; its absolute limit never moves)."""
    await _TOUCH.run(session_id=session.id, now=now)
    session.last_seen_at = now


def seconds_left(settings: Settings, session: Session, now: datetime) -> int:
    """Seconds until the session ends on its own: its idle limit, or its absolute limit if that comes first. The
    page's sign-out warning (static/js/idle.js) counts down from this."""
    idle_end = session.last_seen_at + timedelta(seconds=settings.session_idle_seconds)
    absolute_end = session.created_at + timedelta(seconds=settings.session_absolute_seconds)
    return max(0, math.ceil((min(idle_end, absolute_end) - now).total_seconds()))


# The sign-out warning shows this long before the session ends (half the idle limit when that is shorter, as in
# the browser tests' 8- and 20-second sessions).
WARN_BEFORE = timedelta(minutes=2)


def clock(settings: Settings, session: Session, now: datetime) -> dict[str, int | bool]:
    """What the page's sign-out warning needs: seconds left, when to warn, and whether the absolute limit (which
    "Stay signed in" cannot move) is the one coming."""
    absolute_end = session.created_at + timedelta(seconds=settings.session_absolute_seconds)
    return {
        "ends_in": seconds_left(settings, session, now),
        "warn_before": int(min(WARN_BEFORE.total_seconds(), settings.session_idle_seconds / 2)),
        "absolute": absolute_end <= now + timedelta(seconds=settings.session_idle_seconds),
    }


async def expired_email(token: str | None) -> str:
    """The email of the account whose session this browser held until it ended (idle or absolute limit), so the
    sign-in page can offer it again. Only the browser holding that session's token learns it; sign-out deletes the
    cookie, so a signed-out browser gets nothing."""
    if not token or len(token) > 100:
        return ""
    found = await Session.filter(token_hash=token_hash(token), revoked_at__not_isnull=True).select_related("user")
    return found[0].user.email if found and found[0].user.is_active else ""


# The live session for a token hash with its user and clinic, in one indexed statement on every request.
_FIND = compiled.query(
    lambda hashed: Session.filter(token_hash=hashed, revoked_at=None).select_related("user__clinic").limit(1)
)
_TOUCH = compiled.query(lambda session_id, now: Session.filter(id=session_id).update(last_seen_at=now))


async def _find(hashed: str) -> Session | None:
    return await _FIND.first(hashed=hashed)


async def revoke(session: Session, now: datetime) -> None:
    await Session.filter(id=session.id, revoked_at=None).update(revoked_at=now)


async def revoke_all(user: User, now: datetime) -> int:
    return await Session.filter(user_id=user.id, revoked_at=None).update(revoked_at=now)
