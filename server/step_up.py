"""Step-up before a sensitive act (sign a note or an infusion record, co-sign, open a process note, break the glass,
approve access): the person proves again that they are themselves with the strongest factors their account has.

A step-up form sends `password` (and `code`, from an authenticator app or a recovery code, when the account has
one), or `passkey_assertion` (the JSON of navigator.credentials.get, which static/passkeys.js fills in when "Use a
passkey instead" is pressed). A passkey alone is enough: it is something the person holds, unlocked by their
fingerprint, face or PIN (user verification is required), and it cannot be phished. Routes hand `proof(form)` to
their service; the service asks `verify(actor, proof)`. A plain string is still taken as a password."""

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
    code: str = ""

    def __bool__(self) -> bool:
        return bool(self.password or self.passkey_assertion)


def proof(data: Mapping[str, Any]) -> Proof:
    """The step-up fields of a submitted form."""
    return Proof(
        password=str(data.get("password", ""))[:1024],
        passkey_assertion=str(data.get("passkey_assertion", ""))[: passkeys.MAX_JSON],
        code=str(data.get("code", ""))[:64],
    )


async def verify(actor: Actor, given: Proof | str) -> accounts.StepUp:
    """Whether the proof is the signed-in person's: a passkey assertion when one was sent, else the password (with
    a code when the account has an authenticator app). Any failure counts against the sign-in limits (Throttled
    beyond them); the answer says which field was wrong, and how to say so."""
    if isinstance(given, str):
        return await accounts.step_up(actor, given)
    if given.passkey_assertion:
        ok = await passkeys.step_up(actor, given.passkey_assertion)
        return accounts.StepUp(ok, "password", "" if ok else PASSKEY_REFUSED)
    return await accounts.step_up(actor, given.password, given.code)
