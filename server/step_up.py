"""Step-up before a sensitive act (sign a note or an infusion record, co-sign, open a process note, break the glass,
approve access): the person proves again that they are themselves, with their password or one of their passkeys.

A step-up form sends `password`, or `passkey_assertion` (the JSON of navigator.credentials.get, which
static/passkeys.js fills in when "Use passkey" is pressed). Routes hand `proof(form)` to their service; the service
asks `verify(actor, proof)` where it used to check the password. A plain string is still taken as a password."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server import accounts, passkeys
from server.actor import Actor

PASSKEY_REFUSED = "That passkey wasn't accepted. Try it again, or re-enter your password instead."


@dataclass(frozen=True)
class Proof:
    password: str = ""
    passkey_assertion: str = ""

    def __bool__(self) -> bool:
        return bool(self.password or self.passkey_assertion)


def proof(data: Mapping[str, Any]) -> Proof:
    """The step-up fields of a submitted form."""
    return Proof(
        password=str(data.get("password", ""))[:1024],
        passkey_assertion=str(data.get("passkey_assertion", ""))[: passkeys.MAX_JSON],
    )


async def verify(actor: Actor, given: Proof | str) -> bool:
    """True when the proof is the signed-in person's: a passkey assertion when one was sent, else the password.
    Either way a failure counts against the sign-in limits (Throttled beyond them)."""
    if isinstance(given, str):
        return await accounts.step_up(actor, given)
    if given.passkey_assertion:
        return await passkeys.step_up(actor, given.passkey_assertion)
    return await accounts.step_up(actor, given.password)


def refusal(given: Proof | str, wrong_password: str) -> str:
    """The message beside the password field after a failed step-up: the caller's own for a password, one that
    names the passkey when a passkey was used."""
    return PASSKEY_REFUSED if isinstance(given, Proof) and given.passkey_assertion else wrong_password
