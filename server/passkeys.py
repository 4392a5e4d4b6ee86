"""Passkeys (WebAuthn, through py_webauthn): a person adds passkeys to their account, signs in with one alone (a
discoverable credential, user verification required) and uses one in place of their password for step-up.

Every ceremony answers a challenge made here: random, stored, used once, within five minutes, by the browser it was
made for (bound to the hash of its CSRF token, which is its session's once signed in). The relying-party id and
origin come from settings (WEBAUTHN_RP_ID, WEBAUTHN_ORIGIN)."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
from datetime import timedelta
from typing import Any

from tortoise.transactions import in_transaction
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from server import accounts, audit, factors
from server.actor import Actor
from server.errors import Invalid, NotFound, Throttled
from server.models import LoginFailure, User
from server.passkey_models import Passkey, PasskeyChallenge
from server.settings import Settings

REGISTERED = audit.define("passkey.registered", "A person added a passkey to their account, after step-up.")
RENAMED = audit.define("passkey.renamed", "A person renamed one of their passkeys.")
REMOVED = audit.define("passkey.removed", "A person removed one of their passkeys, after step-up.")
STEPPED_UP = audit.define("passkey.step_up", "A passkey confirmed a sensitive act in place of the password.")
REFUSED = audit.define("passkey.refused", "A passkey was refused for sign-in or step-up (`detail.reason`).")

RP_NAME = "Afterglow"
CHALLENGE_LIFETIME = timedelta(minutes=5)
TIMEOUT_MS = 5 * 60 * 1000
MAX_NAME = 60
MAX_PASSKEYS = 10
MAX_JSON = 20_000  # characters of a browser's answer; real ones are a few hundred to a few thousand
TRANSPORTS = {t.value for t in AuthenticatorTransport}
TRY_AGAIN = "That didn't work: the request took too long or was already used. Try again."
NOT_CHECKED = "That passkey couldn't be checked. Try again, or use your password."
SIGN_IN_REFUSED = "That passkey can't sign you in. Use another passkey or your email and password."
WRONG_PASSWORD = "That password is wrong."  # noqa: S105 - a message, not a secret


def binding(csrf_token: str) -> str:
    """What a challenge is bound to: the hash of the browser's CSRF token (its session's, once signed in)."""
    return hashlib.sha256(csrf_token.encode()).hexdigest()


def _session_binding(actor: Actor) -> str:
    return binding(actor.session.csrf_token) if actor.session else ""


def user_handle(settings: Settings, user_id: int) -> bytes:
    """The WebAuthn user handle: stable per account, derived from the secret key, saying nothing about the person."""
    return hmac.new(settings.secret_key.encode(), f"webauthn user {user_id}".encode(), hashlib.sha256).digest()


def _me(actor: Actor) -> User:
    if actor.user is None or actor.session is None:
        raise NotFound("user")
    return actor.user


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in passkey.transports if t in TRANSPORTS]
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey.credential_id), transports=transports or None)


def check_name(name: str) -> dict[str, str]:
    if not name.strip() or len(name.strip()) > MAX_NAME:
        return {
            "name": f"Name this passkey so you can tell it apart (up to {MAX_NAME} characters), e.g. “Work laptop”."
        }
    return {}


async def mine(actor: Actor) -> list[Passkey]:
    """The signed-in person's passkeys, newest first."""
    return await Passkey.filter(user_id=_me(actor).id).order_by("-created_at", "-id")


async def _new_challenge(actor: Actor, purpose: str, bound: str, user_id: int | None) -> bytes:
    challenge = secrets.token_bytes(32)
    async with in_transaction():
        await PasskeyChallenge.filter(expires_at__lt=actor.now).delete()
        if purpose != "step_up":  # one sign-in or registration at a time per browser: a new one replaces the last
            await PasskeyChallenge.filter(purpose=purpose, binding=bound).delete()
        await PasskeyChallenge.create(
            challenge=bytes_to_base64url(challenge),
            purpose=purpose,
            binding=bound,
            user_id=user_id,
            expires_at=actor.now + CHALLENGE_LIFETIME,
        )
    return challenge


def parse(raw: str) -> dict[str, Any]:
    """A browser's answer (PublicKeyCredential as JSON); {} when it is not one."""
    try:
        found = json.loads(raw) if 0 < len(raw) <= MAX_JSON else None
    except ValueError:
        return {}
    return found if isinstance(found, dict) and isinstance(found.get("response"), dict) else {}


async def _take(
    actor: Actor, credential: dict[str, Any], purpose: str, bound: str, user_id: int | None
) -> bytes | None:
    """The challenge the browser signed, if it was made here for this purpose and this browser, is unexpired and
    unused; it is used up at once (a second answer to it finds nothing)."""
    try:
        client_data = json.loads(base64url_to_bytes(str(credential["response"]["clientDataJSON"])))
        sent = str(client_data["challenge"])[:128]
    except (KeyError, TypeError, ValueError):
        return None
    async with in_transaction():
        taken = await PasskeyChallenge.filter(
            challenge=sent, purpose=purpose, binding=bound, user_id=user_id, expires_at__gt=actor.now
        ).delete()
    return base64url_to_bytes(sent) if taken else None


async def registration_options(actor: Actor, name: str, password: str, code: str = "") -> str:
    """After step-up (the password, and a code when the account has an authenticator app): the options for
    navigator.credentials.create, as JSON."""
    user = _me(actor)
    errors = check_name(name) | ({} if password else {"password": "Enter the password you sign in with."})
    existing = await Passkey.filter(user_id=user.id)
    if len(existing) >= MAX_PASSKEYS:
        errors["form"] = f"You have {MAX_PASSKEYS} passkeys, the most an account keeps. Remove one first."
    if not errors:
        errors |= (await accounts.step_up(actor, password, code, keys=True)).errors(WRONG_PASSWORD)
    if errors:
        raise Invalid(errors)
    challenge = await _new_challenge(actor, "register", _session_binding(actor), user.id)
    options = generate_registration_options(
        rp_id=actor.settings.rp_id,
        rp_name=RP_NAME,
        user_name=user.email,
        user_id=user_handle(actor.settings, user.id),
        user_display_name=user.name,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.REQUIRED
        ),
        exclude_credentials=[_descriptor(p) for p in existing],
    )
    return options_to_json(options)


async def register(actor: Actor, name: str, raw: str) -> Passkey:
    """Keep the passkey the browser made for the challenge of registration_options."""
    user = _me(actor)
    if errors := check_name(name):
        raise Invalid(errors)
    credential = parse(raw)
    challenge = await _take(actor, credential, "register", _session_binding(actor), user.id)
    if challenge is None:
        raise Invalid({"form": TRY_AGAIN})
    s = actor.settings
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=s.rp_id,
            expected_origin=s.rp_origin,
            require_user_verification=True,
        )
    except WebAuthnException:
        raise Invalid({"form": NOT_CHECKED}) from None
    sent = credential["response"].get("transports")
    transports = [t for t in sent if isinstance(t, str) and t in TRANSPORTS] if isinstance(sent, list) else []
    credential_id = bytes_to_base64url(verified.credential_id)
    async with in_transaction():
        if await Passkey.filter(credential_id=credential_id).exists():
            raise Invalid({"form": "This passkey is already on an account."})
        passkey = await Passkey.create(
            user_id=user.id,
            credential_id=credential_id,
            public_key=bytes_to_base64url(verified.credential_public_key),
            sign_count=verified.sign_count,
            transports=transports,
            name=name.strip(),
            created_at=actor.now,
        )
        detail = {"backed_up": verified.credential_backed_up, "aaguid": verified.aaguid}
        await factors.refresh(user.id)
        await audit.record(actor, REGISTERED, object_type="passkey", object_id=passkey.id, detail=detail)
    return passkey


async def _own(actor: Actor, passkey_id: int) -> Passkey:
    passkey = await Passkey.get_or_none(id=passkey_id, user_id=_me(actor).id)
    if passkey is None:
        raise NotFound("passkey")
    return passkey


async def _refuse_form(actor: Actor, errors: dict[str, str]) -> Invalid:
    """A refused rename or removal, with the list the page shows again."""
    return Invalid(errors, page=await mine(actor))


async def rename(actor: Actor, passkey_id: int, name: str) -> Passkey:
    passkey = await _own(actor, passkey_id)
    if errors := check_name(name):
        raise await _refuse_form(actor, errors)
    async with in_transaction():
        await Passkey.filter(id=passkey.id).update(name=name.strip())
        await audit.record(actor, RENAMED, object_type="passkey", object_id=passkey.id)
    return passkey


async def remove(actor: Actor, passkey_id: int, password: str, code: str = "") -> None:
    """Remove one of one's passkeys after step-up (the password, and a code when the account has an authenticator
    app). A repeat finds it gone (404). The clinic's two-factor rule is kept: a staff account that must use two
    factors cannot remove its last one."""
    passkey = await _own(actor, passkey_id)
    if not password:
        raise await _refuse_form(actor, {"password": "Enter the password you sign in with."})
    if errors := (await accounts.step_up(actor, password, code, keys=True)).errors(WRONG_PASSWORD):
        raise await _refuse_form(actor, errors)
    if await factors.would_lose_the_last(actor, removing=factors.PASSKEY):
        raise await _refuse_form(actor, {"password": factors.LAST_FACTOR})
    async with in_transaction():
        await Passkey.filter(id=passkey.id).delete()
        await factors.refresh(actor.user_id or 0)
        await audit.record(actor, REMOVED, object_type="passkey", object_id=passkey.id)


def _authentication_options(settings: Settings, challenge: bytes, allowed: list[Passkey]) -> str:
    options = generate_authentication_options(
        rp_id=settings.rp_id,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        allow_credentials=[_descriptor(p) for p in allowed],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options)


async def _check_ip(actor: Actor) -> None:
    """Throttled (audited) when the client IP is at its limit of settled failures: a sign-in that names no account
    (a passkey's) is held to the IP's limit alone."""
    since = actor.now - timedelta(seconds=actor.settings.login_window_seconds)
    limit = actor.settings.login_max_failures_ip
    recent = await LoginFailure.filter(scope="ip", key=actor.ip, at__gte=since).order_by("-at").limit(limit)
    if len(recent) >= limit:
        wait = max(1, math.ceil((recent[-1].at - since).total_seconds()))
        async with in_transaction():
            await audit.record(actor, audit.LOGIN_THROTTLED, outcome="denied", detail={"retry_after": wait})
        raise Throttled(wait)


async def sign_in_options(actor: Actor, csrf_token: str) -> str:
    """Options for navigator.credentials.get with no credentials named: the browser offers the passkeys it holds
    for this site (discoverable credentials), so no email is typed."""
    await _check_ip(actor)
    challenge = await _new_challenge(actor, "sign_in", binding(csrf_token), None)
    return _authentication_options(actor.settings, challenge, [])


async def step_up_options(actor: Actor) -> str:
    """Options for a passkey step-up: only the signed-in person's own passkeys may answer."""
    user = _me(actor)
    allowed = await Passkey.filter(user_id=user.id)
    if not allowed:
        raise Invalid({"password": "You have no passkey on this account: enter your password."})
    challenge = await _new_challenge(actor, "step_up", _session_binding(actor), user.id)
    return _authentication_options(actor.settings, challenge, allowed)


def _verify(settings: Settings, credential: dict[str, Any], challenge: bytes, passkey: Passkey) -> tuple[int, str]:
    """(the authenticator's new sign count, "") when the assertion holds; (-1, why not) otherwise. A sign count that
    did not grow means the key was copied from the authenticator: refused."""
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.rp_id,
            expected_origin=settings.rp_origin,
            credential_public_key=base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        return -1, "sign_count" if "sign count" in str(exc) else "invalid"
    return verified.new_sign_count, ""


async def _find(credential: dict[str, Any]) -> Passkey | None:
    credential_id = str(credential.get("rawId") or credential.get("id") or "")[:1400]
    return await Passkey.get_or_none(credential_id=credential_id).select_related("user") if credential_id else None


def _handle_matches(settings: Settings, credential: dict[str, Any], passkey: Passkey) -> bool:
    sent = credential["response"].get("userHandle")
    if not sent:
        return True  # the browser may leave it out; the credential id already names the account
    try:
        return hmac.compare_digest(base64url_to_bytes(str(sent)), user_handle(settings, passkey.user_id))
    except ValueError:
        return False


async def sign_in(actor: Actor, csrf_token: str, raw: str, user_agent: str) -> str:
    """Sign in with a passkey alone; returns the new session's token. Refusals are audited and count against the
    client IP's sign-in limit."""
    await _check_ip(actor)
    credential = parse(raw)
    challenge = await _take(actor, credential, "sign_in", binding(csrf_token), None) if credential else None
    passkey = await _find(credential) if challenge else None
    reason, count = "challenge" if challenge is None else "unknown_credential" if passkey is None else "", -1
    if passkey and challenge and not reason:
        count, reason = _verify(actor.settings, credential, challenge, passkey)
    # Only an answer that holds says whether its account may sign in (as a right password does).
    if passkey and not reason and not _handle_matches(actor.settings, credential, passkey):
        reason = "user_handle"
    if passkey and not reason and not passkey.user.is_active:
        reason = "disabled"
    if reason or passkey is None:
        await _refuse(actor, passkey, reason, "sign_in", ip_failure=True)
        raise Invalid({"form": TRY_AGAIN if reason == "challenge" else SIGN_IN_REFUSED})
    async with in_transaction():
        await Passkey.filter(id=passkey.id).update(sign_count=count, last_used_at=actor.now)
        return await accounts.open_session(
            actor, passkey.user, user_agent, {"method": "passkey", "passkey": passkey.id}
        )


async def _refuse(actor: Actor, passkey: Passkey | None, reason: str, purpose: str, *, ip_failure: bool) -> None:
    """Audit a refused passkey (as its owner's event at sign-in, when the passkey is known)."""
    owner = passkey.user if passkey and actor.user is None else None
    async with in_transaction():
        if ip_failure:
            await LoginFailure.create(scope="ip", key=actor.ip, at=actor.now)
        await audit.record(
            actor,
            REFUSED,
            outcome="denied",
            object_type="passkey" if passkey else "",
            object_id=passkey.id if passkey else "",
            detail={"reason": reason, "for": purpose},
            actor_user_id=owner.id if owner else None,
            clinic_id=owner.clinic_id if owner else None,
        )


async def step_up(actor: Actor, raw: str) -> bool:
    """A passkey assertion in place of the password before a sensitive act: it must answer this session's step-up
    challenge with one of the signed-in person's own passkeys. Held to the same limits as a password step-up."""
    if actor.user is None or actor.session is None:
        return False
    return await accounts.step_up_with(actor, lambda: _step_up_check(actor, raw))


async def _step_up_check(actor: Actor, raw: str) -> bool:
    user = _me(actor)
    credential = parse(raw)
    challenge = await _take(actor, credential, "step_up", _session_binding(actor), user.id) if credential else None
    passkey = await _find(credential) if challenge else None
    reason, count = "challenge" if challenge is None else "not_yours" if passkey is None else "", -1
    if passkey and passkey.user_id != user.id:
        passkey, reason = None, "not_yours"  # another person's passkey is never named in this person's events
    if passkey and challenge and not reason:
        count, reason = _verify(actor.settings, credential, challenge, passkey)
    if reason or passkey is None:
        await _refuse(actor, passkey, reason, "step_up", ip_failure=False)
        return False
    async with in_transaction():
        await Passkey.filter(id=passkey.id).update(sign_count=count, last_used_at=actor.now)
        await audit.record(actor, STEPPED_UP, object_type="passkey", object_id=passkey.id)
    return True
