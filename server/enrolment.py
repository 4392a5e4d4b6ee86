"""Separation of duties for accounts: people set their own passwords on one-time links, and an account that reads
clinical content gets its access from a supervisor, never from an admin alone.

- An admin creating or resetting an **admin** account gets the one-time link (valid 72 hours, used once) to hand
  over; nothing in it lets anyone read clinical content.
- An admin creating a **patient, therapist, medical or supervisor** account, resetting such an account's sign-in, or
  widening an account's role (to one that reaches clinical content it could not: patient to therapist, therapist to
  medical or back, anything to supervisor) only makes a request. A supervisor of the clinic approves it
  (re-entering their password) and is the one shown the link to hand over. Until then nobody can sign in to the
  account, so an admin never holds a way into clinical content through an account they created or reset.
- A link is never stored: its token is derived from the row's random salt and the server's secret key (so a repeat
  of the same request can show the same link again), and the row keeps only the token's hash.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets
from datetime import timedelta
from html import escape
from typing import Any

from tortoise.transactions import in_transaction

from server import audit, factors, outbox, policy, sessions, step_up
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.mail import Rendered
from server.models import AccessApproval, ApprovalOutcome, Enrolment, Role, User
from server.passwords import password_problem
from server.policy import require
from server.settings import Settings

USER_ENROLLED = audit.define(
    "user.enrolled", "A person set their own password on a one-time link; their sessions ended."
)
USER_ACCESS_APPROVED = audit.define(
    "user.access_approved",
    "A supervisor approved an admin's request that an account read clinical content (a new account, a wider role or"
    " a reset sign-in); for a new or reset account this issued the one-time link the supervisor hands over.",
)
USER_ACCESS_DECLINED = audit.define(
    "user.access_declined", "A supervisor declined an admin's request that an account read clinical content."
)
LINK_LIFETIME = timedelta(hours=72)
CONTENT_ROLES = frozenset({Role.PATIENT, Role.THERAPIST, Role.MEDICAL, Role.SUPERVISOR})  # read clinical content
# What each role reaches in clinical content. Medical staff and therapists reach different things (the dosing record
# and its signature; notes and shared journal entries), so a change between them, either way, widens the account.
_REACH: dict[Role, frozenset[str]] = {
    Role.PATIENT: frozenset(),  # their own record only: nobody else's
    Role.THERAPIST: frozenset({"care team's charts", "notes and shared entries"}),
    Role.MEDICAL: frozenset({"care team's charts", "dosing records"}),
    Role.SUPERVISOR: frozenset({"care team's charts", "notes and shared entries", "clinic's charts"}),
}
USED = (
    "This link has already been used to set a password. If that was you, sign in. If it wasn't, tell your clinic"
    " straight away."
)
GONE = "This link has expired or was replaced by a newer one. Ask your clinic for a new link."
MISMATCH = "The two passwords are different. Type the same password twice."


def widens(before: Role | str, after: Role | str) -> bool:
    """Whether changing a role from `before` to `after` lets the account read clinical content it could not."""
    return bool(_REACH.get(Role(after), frozenset()) - _REACH.get(Role(before), frozenset()))


def token_of(settings: Settings, row: Enrolment) -> str:
    key = settings.secret_key.encode()
    digest = hmac.new(key, f"afterglow enrolment v1:{row.salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def unusable_password(actor: Actor) -> str:
    """A real argon2 hash of a random secret nobody knows: signing in to the account costs the same as any other
    wrong password, and nothing but a link sets a password for it."""
    return await actor.passwords.hash(secrets.token_urlsafe(32))


def by_mail(settings: Settings) -> bool:
    """Links go to the person's own address when the clinic sends real mail; otherwise they are shown on screen
    to the one who hands them over (without SMTP_URL mail only lands in var/mail/)."""
    return bool(settings.smtp_url)


async def issue(
    actor: Actor, user: User, *, purpose: str = "enrol", lifetime: timedelta = LINK_LIFETIME, mail: bool = False
) -> tuple[Enrolment, str]:
    """A new link for `user`, ending any earlier unused one, and (`mail`) the message that sends it to the person;
    call inside the caller's transaction."""
    await Enrolment.filter(user_id=user.id, used_at=None, ended_at=None).update(ended_at=actor.now)
    row = Enrolment(
        user_id=user.id,
        salt=secrets.token_urlsafe(32),
        purpose=purpose,
        created_by_id=actor.user.id if actor.user else None,
        created_at=actor.now,
        expires_at=actor.now + lifetime,
    )
    token = token_of(actor.settings, row)
    row.token_hash = _hash(token)
    await row.save()
    if mail:
        payload = {"enrolment": row.id}
        await outbox.enqueue(actor.now, MESSAGE_KIND, user.email, payload, user_id=user.id, clinic_id=user.clinic_id)
    return row, token


MESSAGE_KIND = "sign_in_link"


async def render_message(settings: Settings, payload: dict[str, Any]) -> Rendered | None:
    """The email carrying a link: no name, no clinic, nothing clinical; nothing at all once the link was used,
    replaced or has expired."""
    row = await Enrolment.get_or_none(id=payload.get("enrolment", 0))
    if row is None or row.used_at or row.ended_at or row.expires_at <= settings.clock():
        return None
    link = f"{settings.base_url}/enrol/{token_of(settings, row)}"
    if row.purpose == "reset":
        subject = "Reset your Afterglow password"
        first = "Someone asked to reset the password of the Afterglow account that uses this email address."
        last = "If it wasn't you, ignore this message: your password has not changed."
        valid = "within 60 minutes"
    else:
        subject = "Set your Afterglow password"
        first = "Your clinic has set up an Afterglow account for this email address."
        last = "If you weren't expecting this, ignore this message."
        valid = "within 72 hours"
    text = f"{first}\n\nChoose your password here (the link works once, {valid}):\n{link}\n\n{last}\n"
    html = (
        f'<p>{escape(first)}</p><p><a href="{escape(link)}">Choose your password</a>'
        f" (the link works once, {valid}).</p><p>{escape(last)}</p>"
    )
    return Rendered(subject, text, html)


async def open_link(actor: Actor, user_id: int, by: int | None) -> tuple[Enrolment, str] | None:
    """The still-usable link that `by` issued for `user_id`, to show again on a repeat of the same request."""
    row = (
        await Enrolment.filter(user_id=user_id, created_by_id=by, used_at=None, ended_at=None, expires_at__gt=actor.now)
        .order_by("-id")
        .first()
    )
    return (row, token_of(actor.settings, row)) if row else None


async def request(actor: Actor, user: User, reason: str, role: Role, is_trainee: bool) -> AccessApproval:
    """Ask a supervisor to approve `user` reading clinical content as `role`; an earlier pending request for the same
    account is withdrawn. Call inside the caller's transaction."""
    await AccessApproval.filter(user_id=user.id, outcome=ApprovalOutcome.PENDING).update(
        outcome=ApprovalOutcome.WITHDRAWN, decided_at=actor.now
    )
    return await AccessApproval.create(
        clinic_id=user.clinic_id,
        user_id=user.id,
        reason=reason,
        role=role,
        is_trainee=is_trainee and role == Role.THERAPIST,
        requested_by_id=actor.user_id,
        requested_at=actor.now,
    )


async def pending_for(user_id: int) -> AccessApproval | None:
    return await AccessApproval.filter(user_id=user_id, outcome=ApprovalOutcome.PENDING).order_by("-id").first()


async def can_be_approved(clinic_id: int) -> bool:
    """Whether the clinic has an active supervisor who could approve a request."""
    return await User.filter(
        clinic_id=clinic_id, role=Role.SUPERVISOR, disabled_at=None, awaiting_approval=False
    ).exists()


# --- the person's side: set a password on the link -------------------------------------------------------------


async def find(actor: Actor, token: str) -> Enrolment:
    """The link's row with its account; NotFound for an unknown token, Invalid (410) for a used or ended one."""
    row = await Enrolment.get_or_none(token_hash=_hash(token)).select_related("user") if token else None
    if row is None or row.user.disabled_at is not None:
        raise NotFound("enrolment")
    if row.used_at is not None:
        raise Invalid({"form": USED}, page=row, status=410)
    if row.ended_at is not None or row.expires_at <= actor.now:
        raise Invalid({"form": GONE}, page=row, status=410)
    return row


async def enrol(actor: Actor, token: str, password: str, confirm: str) -> User:
    """Set the person's own password from their link: used once (a second use, even at the same moment, is
    refused), every session of the account ends, and the account is audited as enrolled."""
    row = await find(actor, token)
    user = row.user
    problem = password_problem(password, email=user.email, name=user.name)
    errors = {"password": problem} if problem else ({"confirm": MISMATCH} if password != confirm else {})
    if errors:
        raise Invalid(errors, page=row)
    password_hash = await actor.passwords.hash(password)
    me = dataclasses.replace(actor, user=user)
    async with in_transaction():
        claimed = await Enrolment.filter(id=row.id, used_at=None, ended_at=None).update(used_at=actor.now)
        if claimed:
            await User.filter(id=user.id).update(password_hash=password_hash, password_changed_at=actor.now)
            revoked = await sessions.revoke_all(user, actor.now)
            detail = {"enrolment": row.id, "sessions_revoked": revoked}
            await audit.record(me, USER_ENROLLED, object_type="user", object_id=user.id, detail=detail)
            if row.purpose == "enrol" and user.second_factor:  # an admin's link: a lost phone is set up afresh
                removed = await factors.clear(user.id)
                detail = {"enrolment": row.id, **removed}
                await audit.record(me, factors.FACTORS_CLEARED, object_type="user", object_id=user.id, detail=detail)
    if not claimed:
        raise Invalid({"form": USED}, page=row, status=410)
    return user


# --- the supervisor's side: approve or decline -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Decision:
    approval: AccessApproval
    account: User
    link: str | None  # the one-time link to hand over, when the approval issued one and mail did not take it
    mailed: bool = False


async def pending(actor: Actor) -> list[AccessApproval]:
    """The clinic's requests waiting for a supervisor, oldest first, with their accounts."""
    await require(actor.user, policy.ACCESS_APPROVE)
    return (
        await AccessApproval.filter(clinic_id=actor.clinic_id, outcome=ApprovalOutcome.PENDING)
        .order_by("requested_at", "id")
        .prefetch_related("user")
    )


async def pending_badge(actor: Actor) -> dict[str, int]:
    """How many access requests wait for a supervisor, for the supervisor's navigation (one count query)."""
    if actor.role != Role.SUPERVISOR:
        return {}
    count = await AccessApproval.filter(clinic_id=actor.clinic_id, outcome=ApprovalOutcome.PENDING).count()
    return {"approvals": count}


STEP_UP_WRONG = "That isn't your password. Nothing was approved or declined."
DECIDED = "Another supervisor already decided this request; it is shown as they left it."


async def decide(actor: Actor, approval_id: int, decision: str, password: step_up.Proof | str) -> Decision:
    """`_decide`; a refusal's page is the approvals list with the refused request marked."""
    try:
        if decision not in ("approve", "decline"):
            asked = await AccessApproval.get_or_none(id=approval_id, clinic_id=actor.clinic_id)
            raise Invalid({"decision": "Choose approve or decline."}, page=asked)
        return await _decide(actor, approval_id, decision == "approve", password)
    except Invalid as exc:
        page = {"waiting": await pending(actor), "failed": exc.page}
        raise Invalid(exc.errors, page=page, status=exc.status) from None


async def _decide(actor: Actor, approval_id: int, approve: bool, password: step_up.Proof | str) -> Decision:
    """Approve (applying the role and, for a new or reset account, issuing the link the supervisor hands over) or
    decline a request, after step-up (the password, with a code when the account has an app, or a passkey). Sent
    twice, the second answer is the first decision with the same link; a request another supervisor decided
    meanwhile is refused with 409."""
    approval = await AccessApproval.get_or_none(id=approval_id, clinic_id=actor.clinic_id)
    if approval is None or approval.user_id == actor.user_id:
        raise NotFound("approval")
    await require(actor.user, policy.ACCESS_APPROVE, approval)
    wanted = ApprovalOutcome.APPROVED if approve else ApprovalOutcome.DECLINED
    if approval.outcome == wanted and approval.decided_by_id == actor.user_id:
        return await _decision(actor, approval)
    if approval.outcome != ApprovalOutcome.PENDING:
        raise Invalid({"form": DECIDED}, page=approval, status=409)
    check = await step_up.verify(actor, password)
    if not check:
        raise Invalid(check.errors(STEP_UP_WRONG), page=approval)
    async with in_transaction():
        claimed = await AccessApproval.filter(id=approval.id, outcome=ApprovalOutcome.PENDING).update(
            outcome=wanted, decided_by_id=actor.user_id, decided_at=actor.now
        )
        if claimed:
            detail = await _apply(actor, approval) if approve else {}
            action = USER_ACCESS_APPROVED if approve else USER_ACCESS_DECLINED
            detail |= {"request": approval.id, "reason": approval.reason, "role": str(approval.role)}
            await audit.record(actor, action, object_type="user", object_id=approval.user_id, detail=detail)
    approval = await AccessApproval.get(id=approval.id)
    if not claimed and not (approval.outcome == wanted and approval.decided_by_id == actor.user_id):
        raise Invalid({"form": DECIDED}, page=approval, status=409)
    return await _decision(actor, approval)


async def _apply(actor: Actor, approval: AccessApproval) -> dict[str, object]:
    user = await User.get(id=approval.user_id)
    await User.filter(id=user.id).update(
        role=approval.role, is_trainee=approval.is_trainee, awaiting_approval=False, version=user.version + 1
    )
    if not user.awaiting_approval:
        return {}
    row, _ = await issue(actor, user, mail=by_mail(actor.settings))
    await AccessApproval.filter(id=approval.id).update(enrolment_id=row.id)
    return {"enrolment": row.id}


async def _decision(actor: Actor, approval: AccessApproval) -> Decision:
    account = await User.get(id=approval.user_id)
    link = None
    mailed = by_mail(actor.settings) and approval.enrolment_id is not None
    if approval.outcome == ApprovalOutcome.APPROVED and approval.enrolment_id is not None and not mailed:
        row = await Enrolment.get(id=approval.enrolment_id)
        if row.used_at is None and row.ended_at is None and row.expires_at > actor.now:
            link = token_of(actor.settings, row)
    return Decision(approval, account, link, mailed)
