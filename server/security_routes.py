"""The second step of a sign-in (a code), and a person's own security page: sessions, second factors, sign-ins."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server import accounts, gate, passkeys, security
from server.errors import Invalid, Throttled
from server.policy import ANY_USER
from server.web import actor, form, form_key, redirect, render, route, safe_next, url

THROTTLED = "Too many attempts. Wait a few minutes, then try again."


def passkey_of(request: Request, data: Mapping[str, Any]) -> Callable[[], Awaitable[bool]] | None:
    """The check of a passkey sent as the second step, when one was sent."""
    raw = str(data.get("passkey_assertion", ""))[: passkeys.MAX_JSON]
    return partial(passkeys.step_up, actor(request), raw) if raw else None


async def login_code_page(request: Request) -> Response:
    if gate.of(actor(request)) != gate.CODE:  # signed in already (a back button, a second tab)
        return redirect(request, safe_next(request.query_params.get("next"), url(request, "server:home")))
    return render(request, "server/login_code.html", {"errors": {}, "next": request.query_params.get("next", "")})


async def login_code(request: Request) -> Response:
    data = await form(request)
    next_url = str(data.get("next", ""))
    if gate.of(actor(request)) != gate.CODE:  # a double submit carrying the new cookie: signed in already
        return redirect(request, safe_next(next_url, url(request, "server:home")))
    try:
        token = await accounts.finish_sign_in(actor(request), str(data.get("code", ""))[:64], passkey_of(request, data))
    except Invalid as exc:
        return render(request, "server/login_code.html", {"errors": exc.errors, "next": next_url}, status=exc.status)
    except Throttled as exc:
        ctx = {"errors": {"code": THROTTLED}, "next": next_url}
        response = render(request, "server/login_code.html", ctx, status=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    response = redirect(request, safe_next(next_url, url(request, "server:home")))
    settings = request.app.state.settings
    response.set_cookie(
        settings.cookie_name, token, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
    )
    return response


async def security_page(request: Request) -> Response:
    overview = await security.overview(actor(request))
    ended = request.query_params.get("ended", "")
    return render(request, "server/security.html", {"o": overview, "ended": ended, "errors": {}, "failed": ""})


async def end_other_sessions(request: Request) -> Response:
    count = await security.end_other_sessions(actor(request))
    return redirect(request, url(request, "server:security") + f"?ended={count}")


async def start_totp(request: Request) -> Response:
    setup = await security.start_totp(actor(request))
    return render(request, "server/totp_setup.html", {"setup": setup, "errors": {}})


async def confirm_totp(request: Request) -> Response:
    data = await form(request)
    try:
        codes = await security.confirm_totp(actor(request), str(data.get("code", ""))[:64], form_key(data))
    except Invalid as exc:
        if exc.page is None:
            raise
        return render(request, "server/totp_setup.html", {"setup": exc.page, "errors": exc.errors}, status=exc.status)
    return render(request, "server/recovery_codes.html", {"codes": codes, "fresh": True})


async def new_recovery_codes(request: Request) -> Response:
    data = await form(request)
    password, code = str(data.get("password", ""))[:1024], str(data.get("code", ""))[:64]
    try:
        codes = await security.new_recovery_codes(actor(request), password, code)
    except Invalid as exc:
        return _security_again(request, exc, "recovery")
    return render(request, "server/recovery_codes.html", {"codes": codes, "fresh": False})


async def remove_totp(request: Request) -> Response:
    data = await form(request)
    password, code = str(data.get("password", ""))[:1024], str(data.get("code", ""))[:64]
    try:
        await security.remove_totp(actor(request), password, code)
    except Invalid as exc:
        return _security_again(request, exc, "remove")
    return redirect(request, url(request, "server:security"))


def _security_again(request: Request, exc: Invalid, which: str) -> Response:
    """The security page again, with the refused form's messages beside it."""
    if exc.page is None:
        raise exc
    context = {"o": exc.page, "ended": "", "errors": exc.errors, "failed": which}
    return render(request, "server/security.html", context, status=exc.status)


SETUP = (gate.ENROL,)
routes = [
    route("/login/code", login_code_page, roles=ANY_USER, name="login_code", during=(gate.CODE,)),
    route("/login/code", login_code, roles=ANY_USER, methods=["POST"], during=(gate.CODE,)),
    route("/account/security", security_page, roles=ANY_USER, name="security", during=SETUP),
    route(
        "/account/sessions/end-others",
        end_other_sessions,
        roles=ANY_USER,
        methods=["POST"],
        name="end_others",
        during=SETUP,
    ),
    route("/account/two-factor", start_totp, roles=ANY_USER, methods=["POST"], name="start_totp", during=SETUP),
    route(
        "/account/two-factor/confirm", confirm_totp, roles=ANY_USER, methods=["POST"], name="confirm_totp", during=SETUP
    ),
    route("/account/two-factor/remove", remove_totp, roles=ANY_USER, methods=["POST"], name="remove_totp"),
    route("/account/recovery-codes", new_recovery_codes, roles=ANY_USER, methods=["POST"], name="recovery_codes"),
]
