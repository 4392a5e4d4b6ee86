"""Account use-cases: sign in and out, and an admin's management of their clinic's accounts.

Each function checks permission, does the work and records the audit event in one transaction.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server import audit, factors, policy, sessions, sql
from server.actor import Actor
from server.errors import Invalid, NotFound, Throttled
from server.models import CREDENTIALS, Clinic, LoginFailure, Role, Session, User
from server.passwords import password_problem
from server.policy import require

GENERIC_LOGIN_ERROR = "That email or password is wrong."
CODE_WRONG = "That code didn't work. Enter the current 6-digit code from your app, or one of your recovery codes."
PASSKEY_WRONG = "That passkey wasn't accepted. Try it again."
PASSKEY_NEEDED = "Your account signs with a passkey: press “Use a passkey instead”."
CODE_MISSING = "Enter the 6-digit code from your authenticator app (or a recovery code)."
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FAILURE_RETENTION = timedelta(days=1)
T = TypeVar("T")


def normalise_email(raw: str) -> str:
    return raw.strip().casefold()


async def _reserve(actor: Actor, email: str) -> list[int]:
    """Reserve one password attempt for this account before the password is checked: counted and written in one
    serialised transaction, so attempts sent at once cannot all slip under the account's limit. Throttled (audited)
    when the account or the client IP is at its limit. The IP's count is of settled failures only (its row is
    written when a password proves wrong), so a clinic signing in many people at once behind one address is not
    refused for attempts still in flight. Returns the reservation; a correct password releases it, a wrong one
    leaves it as the account's recorded failure."""
    s = actor.settings
    since = actor.now - timedelta(seconds=s.login_window_seconds)
    scopes = (("account", email, s.login_max_failures_account), ("ip", actor.ip, s.login_max_failures_ip))
    async with in_transaction() as conn:
        await _hold_account(conn, email)
        waits = [0]
        for scope, key, limit in scopes:
            recent = await LoginFailure.filter(scope=scope, key=key, at__gte=since).order_by("-at").limit(limit)
            if len(recent) >= limit:
                waits.append(max(1, math.ceil((recent[-1].at - since).total_seconds())))
        if max(waits):
            await audit.record(actor, audit.LOGIN_THROTTLED, outcome="denied", detail={"retry_after": max(waits)})
        else:
            row = await LoginFailure.create(scope="account", key=email, at=actor.now)
    if max(waits):
        raise Throttled(max(waits))
    return [row.id]


async def _hold_account(conn: BaseDBAsyncClient, email: str) -> None:
    """One transaction per account at a time over its failures (else two sign-ins deadlock on PostgreSQL)."""
    if sql.is_postgres(conn):
        await sql.fetch("SELECT pg_advisory_xact_lock(hashtext(?))", (f"account:{email}",), conn)


async def _release(reserved: list[int]) -> None:
    async with in_transaction():
        await LoginFailure.filter(id__in=reserved).delete()


async def sign_in(actor: Actor, email: str, password: str, user_agent: str = "") -> str:
    """Check credentials and open a session; returns the new session token for the cookie."""
    email = normalise_email(email)
    reserved = await _reserve(actor, email)
    user = await User.get_or_none(email=email)
    ok = await actor.passwords.verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        reason = "unknown_email" if user is None else ("disabled" if ok else "wrong_password")
        await _record_failure(actor, user, reason)
        raise Invalid({"form": GENERIC_LOGIN_ERROR})
    new_hash = await actor.passwords.hash(password) if actor.passwords.needs_rehash(user.password_hash) else None
    pending = bool(factors.strongest(user))
    async with in_transaction() as conn:
        await _hold_account(conn, email)
        if new_hash:
            await User.filter(id=user.id).update(password_hash=new_hash)
        await LoginFailure.filter(id__in=reserved).delete()
        return await open_session(actor, user, user_agent, {"rehashed": bool(new_hash)}, pending=pending)


async def open_session(
    actor: Actor, user: User, user_agent: str, detail: dict[str, Any], *, pending: bool = False
) -> str:
    """The end of every sign-in (password or passkey), inside its transaction: the session this browser had ends and
    a new one opens. A full sign-in clears the account's recorded failures and records `auth.login`. A password
    sign-in whose account has an authenticator app is `pending`: its session reaches only the code step, it records
    `auth.second_factor_asked`, and earlier failures stand until the code passes. Returns the new token."""
    me = dataclasses.replace(actor, user=user)
    if not pending:
        await LoginFailure.filter(scope="account", key=user.email).delete()
    replaced = actor.session.id if actor.session else None
    if actor.session:  # signing in again in the same browser ends the session it had
        await sessions.revoke(actor.session, actor.now)
    token, session = await sessions.create(user, actor.now, actor.ip, user_agent, stage="code" if pending else "")
    detail = detail | ({"replaced_session": replaced} if replaced else {})
    action = factors.SECOND_STEP if pending else audit.LOGIN
    await audit.record(me, action, object_type="session", object_id=session.id, detail=detail)
    return token


async def finish_sign_in(actor: Actor, code: str, passkey: Callable[[], Awaitable[bool]] | None = None) -> str:
    """The second step of a sign-in whose password was right: a code from the authenticator app, a recovery code
    (once), or one of the account's passkeys (`passkey` checks its assertion). Throttled and counted like a
    password; on success the waiting session is replaced by a full one (a new token), so the token that existed
    before the second factor passed never becomes a signed-in one."""
    waiting, user = actor.session, actor.user
    if waiting is None or user is None or waiting.stage != "code":
        raise Invalid({"code": "This sign-in has ended. Sign in again."}, status=409)
    if passkey is not None:
        factor: str | None = factors.PASSKEY if await passkey() else None
        if factor is None:
            raise Invalid({"code": PASSKEY_WRONG})
    elif not code.strip():
        raise Invalid({"code": CODE_MISSING if factors.strongest(user) == factors.TOTP else PASSKEY_NEEDED})
    else:
        factor = await code_attempt(actor, "sign_in", lambda: factors.verify(actor, user, code))
    if factor is None:
        raise Invalid({"code": CODE_WRONG})
    async with in_transaction() as conn:
        await _hold_account(conn, user.email)
        await LoginFailure.filter(scope="account", key=user.email).delete()
        if not await Session.filter(id=waiting.id, revoked_at=None).update(revoked_at=actor.now):
            raise Invalid({"code": "This sign-in has ended. Sign in again."}, status=409)  # a double submit's loser
        token, session = await sessions.create(user, actor.now, actor.ip, waiting.user_agent, csrf=waiting.csrf_token)
        if factor == factors.RECOVERY:
            await audit.record(actor, factors.RECOVERY_USED, object_type="user", object_id=user.id)
        detail = {"factor": factor, "replaced_session": waiting.id}
        await audit.record(actor, audit.LOGIN, object_type="session", object_id=session.id, detail=detail)
    return token


async def code_attempt(actor: Actor, where: str, check: Callable[[], Awaitable[T | None]]) -> T | None:
    """One try of a second-factor code by the signed-in (or half signed-in) person, within the sign-in limits: a
    wrong code counts like a wrong password (Throttled beyond the limit) and is audited; `check` answers None for a
    wrong code."""
    reserved = await _reserve(actor, actor.user.email if actor.user else "")
    found = await check()
    if found is not None:
        await _release(reserved)
        return found
    async with in_transaction():
        await LoginFailure.create(scope="ip", key=actor.ip, at=actor.now)
        await audit.record(actor, factors.CODE_FAILED, outcome="denied", detail={"at": where})
    return None


@dataclasses.dataclass(frozen=True)
class StepUp:
    """The answer to a step-up: true when it passed; otherwise which field was wrong, and the words for it."""

    ok: bool
    field: str = "password"
    message: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def errors(self, password_message: str) -> dict[str, str]:
        return {} if self.ok else {self.field: self.message or password_message}

    @property
    def refusal_detail(self) -> dict[str, Any]:
        """What a refused act's `*.step_up_failed` event adds: which field was wrong, when it was the code."""
        return {"detail": {"field": "code"}} if self.field == "code" else {}


async def step_up(actor: Actor, password: str, code: str = "", *, keys: bool = False) -> StepUp:
    """Re-authentication before a sensitive act (sign, co-sign, open a process note, break the glass) with the
    strongest factors the account has: the password, and with an authenticator app also a current code (or a
    recovery code), as a signature on a clinical record asks two factors at the moment of signing. Both are checked
    within the same limits as sign-in; a wrong one counts against them (Throttled beyond). The password is checked
    first, so a code is never used up by a try whose password was wrong."""
    user = actor.user
    if user is None:
        return StepUp(False)
    if not await check_password(actor, password):
        return StepUp(False)
    if not factors.strongest(user):
        return StepUp(True)
    # The password alone is one factor and the account has a stronger one, except when adding or removing a passkey
    # (`keys`): that session already passed a passkey at sign-in, and the passkey ceremony itself follows.
    if factors.strongest(user) == factors.PASSKEY:
        return StepUp(True) if keys else StepUp(False, "password", PASSKEY_NEEDED)
    if not code.strip():
        return StepUp(False, "code", CODE_MISSING)
    factor = await code_attempt(actor, "step_up", lambda: factors.verify(actor, user, code))
    if factor is None:
        return StepUp(False, "code", CODE_WRONG)
    if factor == factors.RECOVERY:
        async with in_transaction():
            await audit.record(actor, factors.RECOVERY_USED, object_type="user", object_id=user.id)
    return StepUp(True)


async def check_password(actor: Actor, password: str) -> bool:
    """The signed-in person's password, checked within the sign-in limits (a wrong one counts against them)."""
    user = actor.user
    if user is None:
        return False
    return await step_up_with(actor, lambda: actor.passwords.verify(user.password_hash, password))


async def step_up_with(actor: Actor, check: Callable[[], Awaitable[bool]]) -> bool:
    """Run one step-up check (a password, a passkey) within the account's and the IP's sign-in limits: a failure
    counts against both, and beyond them the check is not run at all (Throttled, audited)."""
    if actor.user is None:
        return False
    reserved = await _reserve(actor, actor.user.email)
    ok = await check()
    if ok:
        await _release(reserved)
    else:
        async with in_transaction():
            await LoginFailure.create(scope="ip", key=actor.ip, at=actor.now)
    return ok


async def _record_failure(actor: Actor, user: User | None, reason: str) -> None:
    """The account's reservation stays as its failure; the client IP's failure is added, old ones swept, and the
    failure audited."""
    async with in_transaction():
        await LoginFailure.filter(at__lt=actor.now - FAILURE_RETENTION).delete()
        await LoginFailure.create(scope="ip", key=actor.ip, at=actor.now)
        await audit.record(
            actor,
            audit.LOGIN_FAILED,
            outcome="denied",
            detail={"reason": reason},
            actor_user_id=user.id if user else None,
            clinic_id=user.clinic_id if user else None,
        )


async def sign_out(actor: Actor) -> None:
    if actor.session is None:
        return
    async with in_transaction():
        await sessions.revoke(actor.session, actor.now)
        await audit.record(actor, audit.LOGOUT, object_type="session", object_id=actor.session.id)


async def stay_signed_in(actor: Actor) -> int:
    """ "Stay signed in" from the sign-out warning: the session counts as used now. Returns the seconds it has left,
    which never reach past its absolute limit (12 h by default): only its idle clock starts again."""
    if actor.session is None:
        return 0
    await sessions.touch(actor.session, actor.now)
    return sessions.seconds_left(actor.settings, actor.session, actor.now)


async def expire(actor: Actor, session: Session) -> None:
    """Revoke a session found past its limits and note it (the user sees the sign-in page again)."""
    me = dataclasses.replace(actor, user=session.user)
    async with in_transaction():
        await sessions.revoke(session, actor.now)
        await audit.record(me, audit.SESSION_EXPIRED, object_type="session", object_id=session.id)


def check_fields(email: str, name: str, role: str, password: str | None, credential: str = "") -> dict[str, str]:
    errors: dict[str, str] = {}
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        errors["email"] = "Enter an email address like name@example.org."
    if not name.strip() or len(name) > 200:
        errors["name"] = "Enter the person's name (up to 200 characters)."
    if role not in set(Role):
        errors["role"] = "Choose one of: patient, therapist, medical, supervisor, admin."
    elif role == Role.MEDICAL and credential not in CREDENTIALS:
        errors["credential"] = "Choose the licence this person works under: " + ", ".join(CREDENTIALS) + "."
    problem = password_problem(password, email=email, name=name) if password is not None else None
    if problem:
        errors["password"] = problem
    return errors


async def check_new_account(
    email: str, name: str, role: str, password: str | None, credential: str = ""
) -> dict[str, str]:
    """Field errors for a new account (empty when it may be created); `password` None when the person will set
    their own on a link."""
    email = normalise_email(email)
    errors = check_fields(email, name, role, password, credential)
    if "email" not in errors and await User.filter(email=email).exists():
        errors["email"] = "An account with this email already exists."
    return errors


async def insert_account(
    actor: Actor,
    clinic: Clinic,
    *,
    email: str,
    name: str,
    role: str,
    password_hash: str,
    is_trainee: bool = False,
    awaiting_approval: bool = False,
    credential: str = "",
) -> User:
    """Insert a checked account and its audit event; call inside the caller's transaction."""
    user = await User.create(
        awaiting_approval=awaiting_approval,
        clinic=clinic,
        email=normalise_email(email),
        name=name.strip(),
        role=Role(role),
        password_hash=password_hash,
        is_trainee=is_trainee and role == Role.THERAPIST,
        credential=credential if role == Role.MEDICAL else "",
        password_changed_at=actor.now,
    )
    await audit.record(
        actor,
        audit.USER_CREATED,
        object_type="user",
        object_id=user.id,
        clinic_id=clinic.id,
        detail={"role": str(role)}
        | ({"credential": credential} if role == Role.MEDICAL else {})
        | ({"approval": "requested"} if awaiting_approval else {}),
    )
    return user


async def create_user(
    actor: Actor,
    clinic: Clinic,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    is_trainee: bool = False,
    credential: str = "",
) -> User:
    """Create an account with a known password: the command line and the demo only, which act with no user and are
    trusted (an admin's form goes through server/account_admin.py, where the person sets their own password)."""
    if actor.user is not None:
        raise NotFound("clinic")
    errors = await check_new_account(email, name, role, password, credential)
    if errors:
        raise Invalid(errors)
    password_hash = await actor.passwords.hash(password)
    async with in_transaction():
        return await insert_account(
            actor,
            clinic,
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            is_trainee=is_trainee,
            credential=credential,
        )


async def list_users(actor: Actor) -> list[User]:
    await require(actor.user, policy.USERS_LIST)
    users = await User.filter(clinic_id=actor.clinic_id).order_by("role", "name")
    await audit.record_read(actor, audit.USER_LIST_VIEWED, object_type="clinic", object_id=actor.clinic_id)
    return users


async def get_user_for(actor: Actor, user_id: int) -> User:
    """An account in the admin's own clinic; anyone else, and any other clinic's account, gets NotFound."""
    target = await User.get_or_none(id=user_id, clinic_id=actor.clinic_id) if actor.user else None
    if target is None or actor.role != Role.ADMIN:
        raise NotFound("user")
    return target


async def change_own_password(actor: Actor, current: str, new: str) -> None:
    """A signed-in user changes their password; their other sessions end."""
    user = actor.user
    if user is None or actor.session is None:
        raise NotFound("user")
    if not await check_password(actor, current):
        raise Invalid({"current_password": "That isn't your current password."})
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise Invalid({"new_password": problem})
    password_hash = await actor.passwords.hash(new)
    async with in_transaction():
        await User.filter(id=user.id).update(password_hash=password_hash, password_changed_at=actor.now)
        await Session.filter(user_id=user.id, revoked_at=None).exclude(id=actor.session.id).update(revoked_at=actor.now)
        await audit.record(actor, audit.PASSWORD_CHANGED, object_type="user", object_id=user.id)
