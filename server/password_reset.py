"""Forgotten passwords, by mail: a person asks for a link, and it goes to the address on their account.

Offered only when the clinic sends real mail (`SMTP_URL`); without it the sign-in page says to ask the clinic, and
an admin resets the sign-in (server/account_admin.py). The answer is the same for every well-formed address, known
or not, so the form tells nobody which addresses have accounts. A link works once, within 60 minutes; asking
again replaces the earlier link, at most three times an hour per account (more asks are answered the same and
send nothing). Using the link ends every session of the account. An account that is disabled or waiting for a
supervisor's approval gets nothing: mail never reopens what an admin or a supervisor closed.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from tortoise.transactions import in_transaction

from server import audit, enrolment
from server.accounts import EMAIL_PATTERN, normalise_email
from server.actor import Actor
from server.errors import Invalid, NotFound
from server.models import Enrolment, User

LIFETIME = timedelta(minutes=60)
PER_HOUR = 3
BAD_EMAIL = "Enter the email address you sign in with, like name@example.org."
RESET_REQUESTED = audit.define(
    "user.password_reset_requested", "A password-reset link was sent by mail to an account's own address."
)


async def request_reset(actor: Actor, email: str) -> str:
    """Send a reset link to `email` if it is an active account's address; returns the address as typed, for the
    answer (which is the same whether or not an account uses it)."""
    if not enrolment.by_mail(actor.settings):
        raise NotFound("password reset")
    typed = email.strip()
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise Invalid({"email": BAD_EMAIL})
    user = await User.get_or_none(email=email)
    if user is None or not user.is_active:
        return typed
    recent = await Enrolment.filter(user_id=user.id, purpose="reset", created_at__gte=actor.now - LIFETIME).count()
    if recent >= PER_HOUR:
        return typed
    me = dataclasses.replace(actor, user=None)
    async with in_transaction():
        row, _ = await enrolment.issue(me, user, purpose="reset", lifetime=LIFETIME, mail=True)
        await audit.record(
            me,
            RESET_REQUESTED,
            object_type="user",
            object_id=user.id,
            clinic_id=user.clinic_id,
            detail={"enrolment": row.id},
        )
    return typed
