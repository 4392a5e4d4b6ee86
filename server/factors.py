"""An account's second factors: which it has, checking a code against them, and clearing them all.

This is the one place that knows the kinds of second factor: an authenticator app (TOTP, server/totp.py) with the
ten single-use recovery codes made with it, and passkeys (server/passkeys.py). Sign-in (server/accounts.py
`finish_sign_in`) and step-up (`accounts.step_up`, server/step_up.py) ask this module.

`User.second_factor` keeps what a password sign-in asks for next, so the sign-in gate and the step-up forms know it
from the session's own row, without a query: "totp" when the account has an app (a code, or a passkey instead),
"passkey" when it has passkeys only (a passkey), "" when it has neither. `refresh` recomputes it whenever a factor
is added or removed. A passkey alone is a whole sign-in and a whole step-up: it is held, and unlocked by the
person's fingerprint, face or PIN (user verification is required).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from server import audit, totp
from server.actor import Actor
from server.models import RecoveryCode, Role, TotpFactor, User
from server.passkey_models import Passkey
from server.settings import Settings

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper and typed back
TOTP, RECOVERY, PASSKEY = "totp", "recovery", "passkey"
LAST_FACTOR = (
    "Your clinic asks staff to sign in with two factors, and this is your last one. Add a passkey or an authenticator"
    " app first."
)


@dataclass(frozen=True)
class Factors:
    """What the security page shows of an account's factors."""

    totp: bool  # an authenticator app, confirmed by its first code
    recovery_left: int  # unused recovery codes
    passkeys: int = 0

    @property
    def any(self) -> bool:
        return self.totp or self.passkeys > 0


async def of(user_id: int) -> Factors:
    app = await TotpFactor.get_or_none(user_id=user_id, confirmed_at__isnull=False)
    left = await RecoveryCode.filter(user_id=user_id, used_at__isnull=True).count() if app else 0
    return Factors(totp=app is not None, recovery_left=left, passkeys=await Passkey.filter(user_id=user_id).count())


def required(actor: Actor) -> bool:
    """Whether this person must keep a second factor: staff of a clinic that asks its staff for two."""
    user = actor.user
    return bool(user and user.role != Role.PATIENT and actor.registry.staff_two_factor(user.clinic))


async def would_lose_the_last(actor: Actor, *, removing: str) -> bool:
    """Whether removing one passkey (`removing` "passkey") or the app ("totp") would leave a person who must keep a
    second factor without one."""
    if not required(actor) or actor.user is None:
        return False
    user_id = actor.user.id
    app = await TotpFactor.exists(user_id=user_id, confirmed_at__isnull=False)
    keys = await Passkey.filter(user_id=user_id).count()
    return (keys - 1 if removing == PASSKEY else keys) <= 0 and (removing == TOTP or not app)


def strongest(user: User) -> str:
    """The strongest second factor the account has ("" none), from the row the session loaded."""
    return user.second_factor


async def refresh(user_id: int) -> str:
    """Recompute the account's strongest factor after a change (call inside the change's transaction)."""
    if await TotpFactor.exists(user_id=user_id, confirmed_at__isnull=False):
        strongest = TOTP
    else:
        strongest = PASSKEY if await Passkey.exists(user_id=user_id) else ""
    await User.filter(id=user_id).update(second_factor=strongest)
    return strongest


def _clean(code: str) -> str:
    return "".join(c for c in code.casefold() if c.isalnum())[:32]


def recovery_hash(settings: Settings, code: str) -> str:
    """A recovery code's keyed hash: codes are random (50 bits), so HMAC with the server's secret is enough to make
    a stolen table useless without the key, and it lets the code be found by its hash."""
    key = hmac.new(settings.secret_key.encode(), b"afterglow recovery codes v1", hashlib.sha256).digest()
    return hmac.new(key, _clean(code).encode(), hashlib.sha256).hexdigest()


def new_recovery_codes() -> list[str]:
    """Ten codes of ten characters, shown as two groups of five ("k7m2p-x9qrt")."""
    codes = ("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES))
    return [f"{c[:5]}-{c[5:]}" for c in codes]


async def replace_recovery_codes(actor: Actor, user_id: int) -> list[str]:
    """A fresh set of ten; the old set stops working. Call inside the caller's transaction."""
    codes = new_recovery_codes()
    await RecoveryCode.filter(user_id=user_id).delete()
    await RecoveryCode.bulk_create(
        [RecoveryCode(user_id=user_id, code_hash=recovery_hash(actor.settings, c), created_at=actor.now) for c in codes]
    )
    return codes


async def verify(actor: Actor, user: User, code: str) -> str | None:
    """Which factor a typed code proved ("totp" or "recovery"), consuming it, or None. Six digits are checked
    against the authenticator app (a code already accepted is refused); anything else as a recovery code, which is
    used up here. The caller throttles and audits."""
    cleaned = _clean(code)
    if not cleaned:
        return None
    if cleaned.isdigit() and len(cleaned) == 6:
        app = await TotpFactor.get_or_none(user_id=user.id, confirmed_at__isnull=False)
        if app is None:
            return None
        step = totp.matching_step(app.secret, cleaned, actor.now)
        # The step is claimed by one conditional update: a replay, even sent at the same moment, finds it taken.
        taken = step is not None and await TotpFactor.filter(id=app.id, last_step__lt=step).update(last_step=step)
        return TOTP if taken else None
    used = await RecoveryCode.filter(
        user_id=user.id, code_hash=recovery_hash(actor.settings, cleaned), used_at__isnull=True
    ).update(used_at=actor.now)
    return RECOVERY if used else None


async def clear(user_id: int) -> dict[str, int]:
    """Remove every factor of the account (an admin-issued enrolment link was used: the person sets up again).
    Returns what was removed, for the audit event. Call inside the caller's transaction."""
    removed = await clear_app(user_id) | {"passkeys": await Passkey.filter(user_id=user_id).delete()}
    await refresh(user_id)
    return removed


async def clear_app(user_id: int) -> dict[str, int]:
    """Remove the authenticator app and its recovery codes (passkeys stay). Call inside the caller's transaction."""
    removed = {
        "totp": await TotpFactor.filter(user_id=user_id).delete(),
        "recovery_codes": await RecoveryCode.filter(user_id=user_id).delete(),
    }
    await refresh(user_id)
    return removed


# Audit actions (registered by server/room.py)
SECOND_STEP = audit.define(
    "auth.second_factor_asked", "A password was right; the sign-in waits for the account's second factor (a code)."
)
CODE_FAILED = audit.define(
    "auth.code_failed",
    "A second-factor code was refused, at sign-in or step-up: wrong, already used, or from too long ago."
    " `detail.at` says where; it counts against the sign-in throttle like a wrong password.",
)
RECOVERY_USED = audit.define(
    "auth.recovery_code_used", "A recovery code stood in for an authenticator code (each works once)."
)
TOTP_STARTED = audit.define("user.totp_started", "A person began setting up an authenticator app (not yet confirmed).")
TOTP_CONFIRMED = audit.define(
    "user.totp_confirmed", "A person confirmed an authenticator app with its first code; ten recovery codes were made."
)
TOTP_REMOVED = audit.define(
    "user.totp_removed", "A person removed their authenticator app and recovery codes, after step-up."
)
RECOVERY_GENERATED = audit.define(
    "user.recovery_codes_generated", "A new set of ten recovery codes replaced the old set, after step-up."
)
FACTORS_CLEARED = audit.define(
    "user.factors_cleared",
    "An admin-issued enrolment link was used: the account's second factors were removed with the old password."
    " `detail` counts what was removed.",
)
SESSIONS_REVOKED = audit.define(
    "auth.sessions_revoked", "A person signed out everywhere else: their other sessions were revoked (`detail.count`)."
)
