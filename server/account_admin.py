"""An admin's management of their clinic's accounts: create, edit, disable/enable and reset a sign-in — with no
way for the admin to read clinical content through an account they made (server/enrolment.py explains how)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from server import audit, enrolment, factors, once, policy, sessions
from server.accounts import check_fields, check_new_account, get_user_for, insert_account
from server.actor import Actor
from server.errors import Invalid
from server.models import Clinic, Enrolment, Role, User
from server.passkey_models import Passkey
from server.policy import require


@dataclass(frozen=True)
class Issued:
    """An account an admin just made or reset, with the link to hand over when the admin may have one."""

    account: User
    link: str | None
    expires_at: Any = None
    mailed: bool = False


async def invite_user(
    actor: Actor, clinic: Clinic, *, email: str, name: str, role: str, is_trainee: bool, key: str, credential: str = ""
) -> Issued:
    """Create an account whose person sets their own password on a one-time link. An admin account's link is shown
    to the admin; an account that reads clinical content waits for a supervisor, who is shown the link. A repeat
    of the same form answers with the first account (and its link again, while unused)."""
    await require(actor.user, policy.USERS_MANAGE)
    if (first := await once.repeat(actor, key, "user")) is not None:
        return await _issued(actor, await User.get(id=first))
    errors = await check_new_account(email, name, role, None, credential)
    if errors:
        raise Invalid(errors)
    waits = Role(role) in enrolment.CONTENT_ROLES
    password_hash = await enrolment.unusable_password(actor)

    async def make() -> User:
        user = await insert_account(
            actor,
            clinic,
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            is_trainee=is_trainee,
            awaiting_approval=waits,
            credential=credential,
        )
        if waits:
            await enrolment.request(actor, user, "new", user.role, user.is_trainee)
        else:
            await enrolment.issue(actor, user, mail=enrolment.by_mail(actor.settings))
        return user

    user = await once.create(actor, key, "user", make, lambda pk: User.get(id=pk))
    return await _issued(actor, user)


async def _issued(actor: Actor, user: User) -> Issued:
    if enrolment.by_mail(actor.settings):
        return Issued(user, None, mailed=not user.awaiting_approval)
    found = await enrolment.open_link(actor, user.id, actor.user_id)
    return Issued(user, found[1] if found else None, found[0].expires_at if found else None)


STALE_USER = (
    "Someone else changed this account while you were editing it. Nothing of yours was saved: what they saved is"
    " shown above, your changes are in the form. Save again to replace theirs with yours."
)


async def update_user(
    actor: Actor, user_id: int, *, version: int | None, name: str, role: str, is_trainee: bool, credential: str = ""
) -> User:
    """Change an account's name, role or trainee flag from the version the form showed; 409 (with the account as
    saved now) when another admin saved it meanwhile. A role that reads more clinical content is requested from a
    supervisor instead of applied. The audit names the fields that changed."""
    target = await get_user_for(actor, user_id)
    await require(actor.user, policy.USERS_MANAGE, target)
    checked = check_fields(target.email, name, role, None, credential).items()
    errors = {k: v for k, v in checked if k in {"name", "role", "credential"}}
    if target.id == actor.user.id and role != Role.ADMIN:  # type: ignore[union-attr]
        errors["role"] = "You can't remove your own admin role; ask another admin."
    if errors:
        raise Invalid(errors, page=await view(actor, target))
    new_role, trainee = Role(role), is_trainee and role == Role.THERAPIST
    wanted: dict[str, Any] = {"role": new_role, "is_trainee": trainee}
    asks = enrolment.widens(target.role, role) and not target.awaiting_approval
    waiting = await enrolment.pending_for(target.id) if target.awaiting_approval else None
    follows = waiting is not None and (waiting.role, waiting.is_trainee) != (new_role, trainee)
    # A licence is a fact about the person, not access: it is kept as typed (for a medical role, even one that waits
    # for approval), and cleared for every other role.
    licence = credential if role == Role.MEDICAL else ""
    after: dict[str, Any] = {"name": name.strip(), "credential": licence} | ({} if asks else wanted)
    detail: dict[str, Any] = {"changed": sorted(k for k, v in after.items() if getattr(target, k) != v)}
    if role != target.role:
        detail |= {"requested_role": role} if asks else {"from_role": str(target.role), "to_role": role}
    async with in_transaction():
        written = await User.filter(id=target.id, version=version or 0).update(version=(version or 0) + 1, **after)
        if written and (asks or follows):  # a waiting account's request follows its new role
            reason = waiting.reason if waiting else "role"
            await enrolment.request(actor, target, reason, new_role, trainee)
        if written:
            await audit.record(actor, audit.USER_UPDATED, object_type="user", object_id=target.id, detail=detail)
    if not written:
        raise Invalid({"form": STALE_USER}, page=await view(actor, await User.get(id=target.id)), status=409)
    return await User.get(id=target.id)


async def set_disabled(actor: Actor, user_id: int, disabled: bool) -> User:
    """Disable (revoking every session at once) or re-enable an account."""
    target = await get_user_for(actor, user_id)
    await require(actor.user, policy.USERS_DISABLE, target)
    async with in_transaction():
        await User.filter(id=target.id).update(disabled_at=actor.now if disabled else None)
        revoked = await sessions.revoke_all(target, actor.now) if disabled else 0
        action = audit.USER_DISABLED if disabled else audit.USER_ENABLED
        await audit.record(actor, action, object_type="user", object_id=target.id, detail={"sessions_revoked": revoked})
    return await User.get(id=target.id)


OWN_RESET = "Change your own password on the Password page."


async def reset_sign_in(actor: Actor, user_id: int) -> Issued:
    """Stop the account's password working and end its sessions at once, then issue a new one-time link: to the
    admin for an admin account, through a supervisor's approval for an account that reads clinical content."""
    target = await get_user_for(actor, user_id)
    await require(actor.user, policy.USERS_MANAGE, target)
    if target.id == actor.user_id:
        raise Invalid({"reset": OWN_RESET}, page=await view(actor, target))
    waits = target.role in enrolment.CONTENT_ROLES
    password_hash = await enrolment.unusable_password(actor)
    async with in_transaction():
        await User.filter(id=target.id).update(
            password_hash=password_hash, password_changed_at=actor.now, awaiting_approval=waits
        )
        await Enrolment.filter(user_id=target.id, used_at=None, ended_at=None).update(ended_at=actor.now)
        revoked = await sessions.revoke_all(target, actor.now)
        removed = await Passkey.filter(user_id=target.id).delete()  # a reset ends every way in, passkeys too
        await factors.refresh(target.id)
        if waits:
            await enrolment.request(actor, target, "reset", target.role, target.is_trainee)
        else:
            await enrolment.issue(actor, target, mail=enrolment.by_mail(actor.settings))
        detail = {"sessions_revoked": revoked, "approval": "requested" if waits else "none"}
        detail |= {"passkeys_removed": removed} if removed else {}
        await audit.record(actor, audit.USER_PASSWORD_RESET, object_type="user", object_id=target.id, detail=detail)
    return await _issued(actor, await User.get(id=target.id))


async def account_page(actor: Actor, user_id: int) -> dict[str, Any]:
    """The admin's page for one account."""
    return await view(actor, await get_user_for(actor, user_id))


async def view(actor: Actor, target: User) -> dict[str, Any]:
    """What the admin's account page shows: the account, a request waiting for a supervisor (and whether the
    clinic has one who could approve it), and the latest sign-in link's state (never the link itself)."""
    latest = await Enrolment.filter(user_id=target.id).order_by("-id").first()
    state = None
    if latest is not None:
        state = "used" if latest.used_at else "replaced" if latest.ended_at else "open"
        state = "expired" if state == "open" and latest.expires_at <= actor.now else state
    return {
        "target": target,
        "approval": await enrolment.pending_for(target.id),
        "can_be_approved": await enrolment.can_be_approved(target.clinic_id),
        "latest_link": latest,
        "link_state": state,
    }
