"""A person's own account security: their sessions, their second factors and their recent sign-ins.

Setting up an authenticator app: `start_totp` makes (or keeps) an unconfirmed secret and shows it with its QR code;
`confirm_totp` turns it on with a first code and makes the ten recovery codes, shown once. Removing the app or
making a new set of recovery codes asks for step-up first (accounts.step_up: the password and a current code).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import accounts, audit, factors, once, sql, totp
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.models import AuditEvent, FormSubmission, Session, TotpFactor, User

SIGN_IN_EVENTS = (audit.LOGIN, audit.LOGIN_FAILED, factors.CODE_FAILED, factors.SECOND_STEP)
RECENT = 20
SETUP_LIFETIME = timedelta(hours=1)  # an unconfirmed secret older than this is replaced by a new one
CONFIRM_KIND = "totp_confirm"
POLICY_KEEPS = "Your clinic asks staff to use two factors, so the authenticator app stays on while it is your only one. You can make new recovery codes, or ask an admin to reset your sign-in if you lose your phone."  # noqa: E501


@dataclass(frozen=True)
class SessionRow:
    id: int
    device: str
    ip: str
    last_seen: datetime
    this: bool


@dataclass(frozen=True)
class Overview:
    sessions: list[SessionRow]
    factors: factors.Factors
    sign_ins: list[AuditEvent]
    required: bool  # the clinic asks this person to use two factors
    may_remove: bool


@dataclass(frozen=True)
class Setup:
    secret: str
    grouped: str
    qr: object  # Markup: the QR code's inline SVG
    form_key: str


def device(user_agent: str) -> str:
    """A plain name for a browser from its user agent ("Firefox on Windows"); no library, no fingerprinting."""
    ua = user_agent
    browser = next(
        (
            name
            for key, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
            if key in ua
        ),
        "A browser",
    )
    system = next(
        (
            name
            for key, name in (
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Android", "Android"),
                ("Windows", "Windows"),
                ("Mac OS X", "a Mac"),
                ("Linux", "Linux"),
            )
            if key in ua
        ),
        "",
    )
    return f"{browser} on {system}" if system else browser


def required(actor: Actor) -> bool:
    return factors.required(actor)


async def overview(actor: Actor) -> Overview:
    user = actor.user
    if user is None or actor.session is None:
        raise NotFound("user")
    s = actor.settings
    live = await Session.filter(
        user_id=user.id,
        revoked_at=None,
        stage="",
        last_seen_at__gt=actor.now - timedelta(seconds=s.session_idle_seconds),
        created_at__gt=actor.now - timedelta(seconds=s.session_absolute_seconds),
    ).order_by("-last_seen_at")
    rows = [SessionRow(x.id, device(x.user_agent), x.ip, x.last_seen_at, x.id == actor.session.id) for x in live]
    rows.sort(key=lambda r: not r.this)
    names = [str(a) for a in SIGN_IN_EVENTS]
    sign_ins = await AuditEvent.filter(actor_id=user.id, action__in=names).order_by("-seq").limit(RECENT)
    mine = await factors.of(user.id)
    need = required(actor)
    return Overview(rows, mine, sign_ins, need, mine.totp and (not need or mine.passkeys > 0))


async def end_other_sessions(actor: Actor) -> int:
    """Sign out everywhere else: every other session of this person ends now."""
    if actor.user is None or actor.session is None:
        raise NotFound("user")
    async with in_transaction():
        count = (
            await Session.filter(user_id=actor.user.id, revoked_at=None)
            .exclude(id=actor.session.id)
            .update(revoked_at=actor.now)
        )
        await audit.record(
            actor, factors.SESSIONS_REVOKED, object_type="user", object_id=actor.user.id, detail={"count": count}
        )
    return count


async def start_totp(actor: Actor) -> Setup:
    """The secret to put in an authenticator app, kept unconfirmed until its first code comes back. Asked again
    (a reload, a second tab) within the hour, the same secret is shown, so an app already scanned still works."""
    user = actor.user
    if user is None:
        raise NotFound("user")
    try:
        async with in_transaction() as conn:
            if sql.is_postgres(conn):  # presses at once wait for each other (SQLite's write transactions already do)
                await sql.fetch("SELECT pg_advisory_xact_lock(hashtext(?))", (f"totp:{user.id}",), conn)
            app = await TotpFactor.get_or_none(user_id=user.id)
            if app is not None and app.confirmed_at is not None:
                raise Invalid({"form": "An authenticator app is already set up for this account."}, status=409)
            if app is None or app.created_at < actor.now - SETUP_LIFETIME:
                await TotpFactor.filter(user_id=user.id).delete()
                app = await TotpFactor.create(user_id=user.id, secret=totp.new_secret(), created_at=actor.now)
                await audit.record(actor, factors.TOTP_STARTED, object_type="user", object_id=user.id)
    except IntegrityError:  # the same button pressed twice at once: the other press made the secret
        app = await TotpFactor.get(user_id=user.id, confirmed_at=None)
    return setup_of(app, user)


def setup_of(app: TotpFactor, user: User, key: str = "") -> Setup:
    return Setup(app.secret, totp.grouped(app.secret), totp.qr_svg(app.secret, user.email), key or once.new_key())


async def confirm_totp(actor: Actor, code: str, key: str) -> list[str]:
    """Turn the app on with its first code; returns the ten recovery codes to show once. The same form sent again
    (a double click) answers with a fresh set that replaces the first, whose page the browser never showed."""
    user = actor.user
    if user is None:
        raise NotFound("user")
    if await once.repeat(actor, key, CONFIRM_KIND) is not None:
        return await _codes_again(actor, user)
    app = await TotpFactor.get_or_none(user_id=user.id, confirmed_at=None)
    if app is None:
        raise Invalid({"form": "Start setting up the app again: this page is out of date."}, status=409)
    step = await accounts.code_attempt(actor, "totp_setup", _step_of(app, code, actor.now))
    if step is None:
        raise Invalid({"code": accounts.CODE_WRONG}, page=setup_of(app, user, key))
    async with in_transaction():
        if await TotpFactor.filter(id=app.id, confirmed_at=None).update(confirmed_at=actor.now, last_step=step):
            if key:
                await FormSubmission.create(
                    user_id=user.id, key=key, kind=CONFIRM_KIND, object_id=app.id, created_at=actor.now
                )
            await factors.refresh(user.id)
            codes = await factors.replace_recovery_codes(actor, user.id)
            await audit.record(actor, factors.TOTP_CONFIRMED, object_type="user", object_id=user.id)
            return codes
    if await once.repeat(actor, key, CONFIRM_KIND) is not None:  # the same form, sent at the same moment, won
        return await _codes_again(actor, user)
    raise Invalid({"form": "An authenticator app is already set up for this account."}, status=409)


def _step_of(app: TotpFactor, code: str, now: datetime):  # type: ignore[no-untyped-def]
    async def check() -> int | None:
        return totp.matching_step(app.secret, "".join(code.split()), now)

    return check


async def _codes_again(actor: Actor, user: User) -> list[str]:
    async with in_transaction():
        codes = await factors.replace_recovery_codes(actor, user.id)
        await audit.record(
            actor, factors.RECOVERY_GENERATED, object_type="user", object_id=user.id, detail={"repeat": True}
        )
    return codes


async def new_recovery_codes(actor: Actor, password: str, code: str) -> list[str]:
    """A fresh set of ten recovery codes (the old set stops working), after step-up."""
    user = actor.user
    if user is None or not user.second_factor:
        raise NotFound("user")
    check = await accounts.step_up(actor, password, code)
    if not check:
        raise Invalid(check.errors("That password is wrong."), page=await overview(actor))
    async with in_transaction():
        codes = await factors.replace_recovery_codes(actor, user.id)
        await audit.record(actor, factors.RECOVERY_GENERATED, object_type="user", object_id=user.id)
    return codes


async def remove_totp(actor: Actor, password: str, code: str) -> None:
    """Turn the app off (and its recovery codes), after step-up; refused while the clinic asks staff for two."""
    user = actor.user
    if user is None or user.second_factor != factors.TOTP:
        raise NotFound("user")
    if await factors.would_lose_the_last(actor, removing=factors.TOTP):
        raise Invalid({"form": POLICY_KEEPS}, page=await overview(actor), status=409)
    check = await accounts.step_up(actor, password, code)
    if not check:
        raise Invalid(check.errors("That password is wrong."), page=await overview(actor))
    async with in_transaction():
        removed = await factors.clear_app(user.id)
        await audit.record(actor, factors.TOTP_REMOVED, object_type="user", object_id=user.id, detail=removed)
