"""Passkeys: one's own list (add, rename, remove), sign-in with a passkey alone, and the options for a passkey
step-up. The ceremonies' steps answer JSON to static/js/passkeys.js; the list's forms are plain posts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server import gate, passkeys
from server.errors import Invalid, Throttled
from server.policy import ANY_USER, PUBLIC
from server.web import actor, csrf_token, form, redirect, render, route, safe_next, url

THROTTLED = "Too many attempts. Wait a few minutes, then try again."


def _refused(exc: Invalid | Throttled) -> Response:
    """A ceremony step refused: its messages by field, as JSON for the page's script to show."""
    if isinstance(exc, Throttled):
        return JSONResponse(
            {"errors": {"form": THROTTLED}}, status_code=429, headers={"Retry-After": str(exc.retry_after)}
        )
    return JSONResponse({"errors": exc.errors}, status_code=exc.status)


def _options(found: str) -> Response:
    return Response(found, media_type="application/json", headers={"Cache-Control": "no-store"})


async def passkeys_page(request: Request) -> Response:
    found = await passkeys.mine(actor(request))
    return render(request, "account/passkeys.html", {"passkeys": found, "errors": {}, "failed": None, "values": {}})


async def registration_options(request: Request) -> Response:
    data = await form(request)
    name, password = str(data.get("name", ""))[:200], str(data.get("password", ""))[:1024]
    code = str(data.get("code", ""))[:64]
    try:
        return _options(await passkeys.registration_options(actor(request), name, password, code))
    except (Invalid, Throttled) as exc:
        return _refused(exc)


async def register(request: Request) -> Response:
    data = await form(request)
    name, credential = str(data.get("name", ""))[:200], str(data.get("credential", ""))
    try:
        await passkeys.register(actor(request), name, credential)
    except Invalid as exc:
        return _refused(exc)
    return JSONResponse({"redirect": url(request, "server:passkeys") + "?added=1"})


async def rename(request: Request) -> Response:
    passkey_id, name = request.path_params["passkey_id"], str((await form(request)).get("name", ""))[:200]
    try:
        await passkeys.rename(actor(request), passkey_id, name)
    except Invalid as exc:
        ctx = {"passkeys": exc.page, "errors": exc.errors, "failed": passkey_id, "values": {"name": name}}
        return render(request, "account/passkeys.html", ctx, status=exc.status)
    return redirect(request, url(request, "server:passkeys"))


async def remove(request: Request) -> Response:
    data = await form(request)
    password, code = str(data.get("password", ""))[:1024], str(data.get("code", ""))[:64]
    try:
        await passkeys.remove(actor(request), request.path_params["passkey_id"], password, code)
    except Invalid as exc:
        ctx = {"passkeys": exc.page, "errors": exc.errors, "failed": request.path_params["passkey_id"], "values": {}}
        return render(request, "account/passkeys.html", ctx, status=exc.status)
    return redirect(request, url(request, "server:passkeys") + "?removed=1")


async def step_up_options(request: Request) -> Response:
    try:
        return _options(await passkeys.step_up_options(actor(request)))
    except Invalid as exc:
        return _refused(exc)


async def sign_in_options(request: Request) -> Response:
    try:
        return _options(await passkeys.sign_in_options(actor(request), csrf_token(request)))
    except Throttled as exc:
        return _refused(exc)


async def sign_in(request: Request) -> Response:
    data = await form(request)
    who, agent = actor(request), request.headers.get("User-Agent", "")
    try:
        token = await passkeys.sign_in(who, csrf_token(request), str(data.get("credential", "")), agent)
    except (Invalid, Throttled) as exc:
        return _refused(exc)
    response = JSONResponse({"redirect": safe_next(str(data.get("next", "")), url(request, "server:home"))})
    s = who.settings
    response.set_cookie(s.cookie_name, token, httponly=True, samesite="lax", secure=s.secure_cookies, path="/")
    return response


routes = [
    route("/account/passkeys", passkeys_page, roles=ANY_USER, name="passkeys", during=(gate.ENROL,)),
    route(
        "/account/passkeys/options",
        registration_options,
        roles=ANY_USER,
        methods=["POST"],
        name="passkey_options",
        during=(gate.ENROL,),
    ),
    route(
        "/account/passkeys", register, roles=ANY_USER, methods=["POST"], name="passkey_register", during=(gate.ENROL,)
    ),
    route("/account/passkeys/{passkey_id:int}/name", rename, roles=ANY_USER, methods=["POST"], name="passkey_rename"),
    route("/account/passkeys/{passkey_id:int}/remove", remove, roles=ANY_USER, methods=["POST"], name="passkey_remove"),
    route(
        "/account/passkeys/step-up",
        step_up_options,
        roles=ANY_USER,
        methods=["POST"],
        name="passkey_step_up",
        during=(gate.CODE,),  # a passkey is also a sign-in's second step
    ),
    route("/login/passkey/options", sign_in_options, roles=PUBLIC, methods=["POST"], name="passkey_login_options"),
    route("/login/passkey", sign_in, roles=PUBLIC, methods=["POST"], name="passkey_login"),
]
