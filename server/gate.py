"""The sign-in gate: a session that is not yet allowed everywhere reaches only the pages that let it through.

Two gates: "code", a sign-in whose password was right and whose second factor is still to come (server/accounts.py
`finish_sign_in`); and "enrol", a staff account of a clinic that asks staff to use two factors (the clinic setting
`staff_two_factor`) which has none yet: it reaches its security page to set one up, and nothing else. A route lets a
gate through by naming it in `route(..., during=...)`. Patients are never gated to enrol (they may choose to).
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import quote

from starlette.requests import Request

from server.actor import Actor
from server.models import Role

CODE, ENROL = "code", "enrol"
PAGE = {CODE: "server:login_code", ENROL: "server:security"}


def of(who: Actor) -> str:
    """The gate this request's session stands at ("" when none)."""
    if who.session is None or who.user is None:
        return ""
    if who.session.stage:
        return CODE
    user = who.user
    if user.role == Role.PATIENT or user.second_factor:
        return ""
    return ENROL if who.registry.staff_two_factor(user.clinic) else ""


def stop(gate: str, during: Collection[str]) -> str:
    """The page (route name) a session at this gate is sent to, when the route does not let the gate through."""
    return PAGE[gate] if gate and gate not in during else ""


def after(request: Request, to: str) -> str:
    """The query the gate's page gets: a page asked for before the code was typed is where the sign-in goes next."""
    if to != PAGE[CODE] or request.method != "GET":
        return ""
    return "?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
