"""Sign-in, sign-out, the role's home, one's own password, and the load balancer's health check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from tortoise import connections

from server import accounts, gate, sessions
from server.errors import Invalid, Throttled
from server.policy import ANY_USER, PUBLIC
from server.web import SESSION_HEADER, actor, form, redirect, render, route, safe_next, url


async def login_page(request: Request) -> Response:
    who = actor(request)
    if who.user is not None:
        return redirect(request, _home(request))
    query = request.query_params
    expired = query.get("expired") == "1"
    # After the idle sign-out, the email of the session this browser just had is offered again.
    email = await sessions.expired_email(request.cookies.get(request.app.state.settings.cookie_name)) if expired else ""
    return render(
        request,
        "server/login.html",
        {
            "email": email,
            "errors": {},
            "expired": expired,
            "enrolled": query.get("enrolled") == "1",
            "next": query.get("next", ""),
        },
    )


async def login(request: Request) -> Response:
    data = await form(request)
    email, password = str(data.get("email", ""))[:254], str(data.get("password", ""))[:1024]
    next_url = str(data.get("next", ""))
    ctx = {"email": email, "expired": False, "enrolled": False, "next": next_url}
    try:
        token = await accounts.sign_in(actor(request), email, password, request.headers.get("User-Agent", ""))
    except Invalid as exc:
        return render(request, "server/login.html", {**ctx, "errors": exc.errors}, status=exc.status)
    except Throttled as exc:
        errors = {"form": "Too many attempts. Wait a few minutes, then try again."}
        response = render(request, "server/login.html", {**ctx, "errors": errors}, status=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    response = redirect(request, safe_next(next_url, url(request, "server:home")))
    settings = request.app.state.settings
    response.set_cookie(
        settings.cookie_name, token, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
    )
    return response


async def logout(request: Request) -> Response:
    await accounts.sign_out(actor(request))
    response = redirect(request, url(request, "server:login"))
    response.delete_cookie(request.app.state.settings.cookie_name, path="/")
    return response


async def stay_signed_in(request: Request) -> Response:
    """The sign-out warning's "Stay signed in": 204 (a plain form post leaves the page as it is) with the seconds
    the session now has left."""
    left = await accounts.stay_signed_in(actor(request))
    return Response(status_code=204, headers={SESSION_HEADER: str(left)})


async def home(request: Request) -> Response:
    return redirect(request, _home(request))


def _home(request: Request) -> str:
    """The signed-in user's home page: the room that set itself up as their role's home."""
    role = actor(request).user.role  # type: ignore[union-attr]
    return url(request, request.app.state.registry.homes[role])


async def password_page(request: Request) -> Response:
    return render(request, "server/password.html", {"errors": {}, "done": False})


async def change_password(request: Request) -> Response:
    data = await form(request)
    try:
        await accounts.change_own_password(
            actor(request), str(data.get("current_password", "")), str(data.get("new_password", ""))
        )
    except Invalid as exc:
        return render(request, "server/password.html", {"errors": exc.errors, "done": False}, status=exc.status)
    return render(request, "server/password.html", {"errors": {}, "done": True})


async def healthz(request: Request) -> Response:
    """Liveness and database reachability, for load balancers. No PHI, no auth."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any database failure means "not healthy", whatever the driver raises
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def livez(request: Request) -> Response:
    """Liveness only: the process answers (no database, no session). Also the benchmarks' baseline route."""
    return PlainTextResponse("ok")


HELD = (gate.CODE, gate.ENROL)  # a session at the sign-in gate can still sign out (server/gate.py)
routes = [
    route("/login", login_page, roles=PUBLIC, name="login"),
    route("/login", login, roles=PUBLIC, methods=["POST"]),
    route("/logout", logout, roles=ANY_USER, methods=["POST"], name="logout", during=HELD),
    route("/session/stay", stay_signed_in, roles=ANY_USER, methods=["POST"], name="stay", during=HELD),
    route("/", home, roles=ANY_USER),
    route("/account/password", password_page, roles=ANY_USER, name="password"),
    route("/account/password", change_password, roles=ANY_USER, methods=["POST"]),
    route("/healthz", healthz, roles=PUBLIC, name="healthz"),
    route("/livez", livez, roles=PUBLIC, name="livez"),
]
