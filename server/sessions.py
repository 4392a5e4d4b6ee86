"""Server-side sessions: the browser holds a random token, the database holds only its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.models import Session, User
from server.settings import Settings

# last_seen_at is written at most this often, so browsing is not a write per request; idle expiry is exact to ±30 s.
TOUCH_INTERVAL = timedelta(seconds=30)


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(user: User, now: datetime, ip: str, user_agent: str) -> tuple[str, Session]:
    token = new_token()
    session = await Session.create(
        token_hash=token_hash(token),
        user=user,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        ip=ip[:64],
        user_agent=user_agent[:300],
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
    session = await Session.filter(token_hash=token_hash(token), revoked_at=None).select_related("user__clinic").first()
    if session is None or not session.user.is_active:
        return Loaded(None)
    idle = now - session.last_seen_at > timedelta(seconds=settings.session_idle_seconds)
    too_old = now - session.created_at > timedelta(seconds=settings.session_absolute_seconds)
    if idle or too_old:
        return Loaded(session, expired=True)
    if now - session.last_seen_at > TOUCH_INTERVAL:
        await Session.filter(id=session.id).update(last_seen_at=now)
    return Loaded(session)


async def revoke(session: Session, now: datetime) -> None:
    await Session.filter(id=session.id, revoked_at=None).update(revoked_at=now)


async def revoke_all(user: User, now: datetime) -> int:
    return await Session.filter(user_id=user.id, revoked_at=None).update(revoked_at=now)
