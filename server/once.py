"""Idempotent creation: a create form carries a one-time key (`form_key`), and whatever its first submission made
is the answer to every repeat of it.

A double click, a retry after a dropped connection or the same page sent again from a second tab all carry the
same key, so they get the first result back (the handler redirects to it) instead of a second course, consent or
screen. Concurrent duplicates meet at the unique (user, key) index: the second insert waits for the first
transaction (PostgreSQL's unique index, SQLite's single writer) and then fails, and the loser answers with the
winner's result. Any other unique-constraint race inside the work (two staff creating the same MRN at once) is
refused with a message, never a 500.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.actor import Actor
from server.errors import Invalid
from server.models import FormSubmission

KEY_LENGTH = 32  # secrets.token_urlsafe(24)
STALE = "This form is out of date. Reload the page and try again; nothing was saved."
RACE = "This was saved at the same moment somewhere else. Check the record, then try again if it is missing."


class Created(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=Created)


def new_key() -> str:
    """A fresh key for a create form's hidden `form_key` field."""
    return secrets.token_urlsafe(24)


def valid(key: str) -> bool:
    return 16 <= len(key) <= 64 and key.replace("-", "").replace("_", "").isalnum()


async def repeat(actor: Actor, key: str, kind: str) -> int | None:
    """The id the first submission of this form made, if it was already sent; check this before validating, so a
    repeat is answered with its result rather than refused ("this email already exists"). A request with no key at
    all (a page served before keys existed, a script) is simply not deduplicated; a malformed key is refused."""
    if not key:
        return None
    if not valid(key):
        raise Invalid({"form": STALE})
    return await _first(actor, key, kind)


async def create(
    actor: Actor,
    key: str,
    kind: str,
    make: Callable[[], Awaitable[T]],
    fetch: Callable[[int], Awaitable[T]],
    page: Callable[[], Awaitable[Any]] | None = None,
) -> T:
    """Run `make` (the writes only: validate before, outside the transaction) once for this user and form key, in
    one transaction with the key's claim; a repeat gets `fetch` of the first result. A unique-constraint race inside
    `make` is refused with 409 and `page` (what the refused form's page shows), never a 500."""
    first = await repeat(actor, key, kind)
    if first is not None:
        return await fetch(first)
    if not key:
        async with in_transaction():
            return await make()
    try:
        async with in_transaction():
            claim = await FormSubmission.create(user_id=actor.user_id, key=key, kind=kind, created_at=actor.now)
            made = await make()
            await FormSubmission.filter(id=claim.id).update(object_id=made.id)
            return made
    except IntegrityError:
        first = await _first(actor, key, kind)
        if first is None:
            raise Invalid({"form": RACE}, page=await page() if page else None, status=409) from None
        return await fetch(first)


async def _first(actor: Actor, key: str, kind: str) -> int | None:
    row = await FormSubmission.get_or_none(user_id=actor.user_id, key=key)
    if row is None or row.object_id is None:
        return None
    if row.kind != kind:
        raise Invalid({"form": STALE})
    return row.object_id
