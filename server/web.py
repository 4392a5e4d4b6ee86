"""The web layer's shared pieces: declared routes (roles + CSRF + session), rendering, htmx helpers."""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from functools import wraps
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2_fragments.starlette import Jinja2Blocks
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound, Route
from starlette.types import Scope
from tortoise.transactions import in_transaction

from server import accounts, audit, gate, sessions
from server.actor import Actor
from server.errors import Forbidden, Invalid, NotFound
from server.policy import PUBLIC

Endpoint = Callable[[Request], Awaitable[Response]]
# Seconds until a signed-in session ends on its own, on every answer to it: the sign-out warning (static/js/idle.js)
# counts down from the latest one (autosaves and other htmx requests included).
SESSION_HEADER = "X-Session-Ends-In"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RoomMount(Mount):
    """One room's routes under one name ("care:chart"), at the root of the URL space like every other room.

    A plain Mount at "" would claim every path and answer 404 for the next room's URLs; this one claims a request
    only when one of its routes matches it (or matches all but the method, so 405 still works)."""

    def __init__(self, name: str, routes: Sequence[BaseRoute]) -> None:
        super().__init__("", routes=routes, name=name)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE:
            return match, child
        inner = {**scope, **child}
        best = Match.NONE
        for route in self.routes:
            found, _ = route.matches(inner)
            if found is Match.FULL:
                return Match.FULL, child
            if found is Match.PARTIAL:
                best = Match.PARTIAL
        return best, child


def leaf_routes(routes: Sequence[BaseRoute]) -> list[Route]:
    """Every route of the app, inside the rooms' mounts too (for the checks that walk them all)."""
    found: list[Route] = []
    for r in routes:
        if isinstance(r, RoomMount):
            found += leaf_routes(r.routes)
        elif isinstance(r, Route):
            found.append(r)
    return found


class Urls:
    """Paths from route names ("care:chart", patient_id=3), looked up in an index built once per app: templates
    call this for every link, and Starlette's own url_path_for walks every route and raises on each miss."""

    def __init__(self, routes: list[BaseRoute]) -> None:
        self.index: dict[str, Route] = {}
        self._walk(routes, "")

    def _walk(self, routes: list[BaseRoute], prefix: str) -> None:
        for r in routes:
            if isinstance(r, Mount) and r.name and r.routes:
                self._walk(r.routes, f"{prefix}{r.name}:")
            elif isinstance(r, Route) and r.name:
                self.index.setdefault(prefix + r.name, r)

    def __call__(self, name: str, /, **params: Any) -> str:
        route = self.index.get(name)
        if route is None:
            raise NoMatchFound(name, params)
        return str(route.url_path_for(route.name, **params))


def url(request: Request, name: str, /, **params: Any) -> str:
    """The path of a named route, for redirects."""
    urls: Urls = request.app.state.urls
    return urls(name, **params)


class CsrfFailure(Exception):
    """An unsafe request without a valid token, or from another site."""


def actor(request: Request) -> Actor:
    return request.state.actor


def is_htmx(request: Request) -> bool:
    """True when htmx asked for a fragment (a boosted link wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def csrf_token(request: Request) -> str:
    current = request.state.actor.session
    if current is not None:
        return current.csrf_token
    token = request.cookies.get(request.app.state.settings.csrf_cookie_name, "")
    if len(token) < 32:
        token = request.state.__dict__.setdefault("new_csrf", secrets.token_urlsafe(32))
    return token


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200, block: str | None = None
) -> Response:
    """Render a page, or one named block of it for htmx; the page and the fragment come from one template."""
    badges = getattr(request.state, "badges", {})
    who: Actor = request.state.actor
    user = who.user
    gated = getattr(request.state, "gate", "")  # a session at the sign-in gate sees no navigation (server/gate.py)
    nav = request.app.state.registry.nav_for(user.role if user else None) if not gated else []
    ctx = {
        "user": user,
        "csrf_token": csrf_token(request),
        "badges": badges,
        "nav": nav,
        "nav_current": _current(request, nav),
        "session_clock": sessions.clock(who.settings, who.session, who.now) if who.session else None,
        "urls": request.app.state.urls,
        **(context or {}),
    }
    templates: Jinja2Blocks = request.app.state.templates
    response = templates.TemplateResponse(request, name, ctx, status_code=status, block_name=block)
    response.headers["Vary"] = "HX-Request"
    _set_csrf_cookie(request, response)
    return response


def _current(request: Request, nav: list) -> str:
    """The route of the navigation link this page sits under (the longest link path that starts its path), for
    aria-current and the tab bar's highlight."""
    urls: Urls = request.app.state.urls
    path = request.url.path
    best, best_len = "", 0
    for entry in nav:
        href = urls(entry.route)
        if (path == href or path.startswith(href.rstrip("/") + "/")) and len(href) > best_len:
            best, best_len = entry.route, len(href)
    return best


def redirect(request: Request, url: str) -> Response:
    """303 for plain forms; htmx gets HX-Redirect so it navigates the whole page."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _set_csrf_cookie(request: Request, response: Response) -> None:
    new = request.state.__dict__.get("new_csrf")
    if new:
        settings = request.app.state.settings
        response.set_cookie(
            settings.csrf_cookie_name, new, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/"
        )


def form_key(data: Mapping[str, Any]) -> str:
    """A create form's one-time key (hidden field `form_key`; see server/once.py)."""
    return str(data.get("form_key", ""))[:64]


# The input boundary: text no database column can hold is refused here, before anything reaches a driver.
# PostgreSQL rejects NUL in text outright; other C0 controls (but tab and line breaks), DEL and lone surrogates
# are never typed by a person and only ever arrive from broken or hostile clients.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_ID = 2**31 - 1  # ids are PostgreSQL integers (4 bytes) on both databases; a larger one names nothing


def check_input(items: Iterable[tuple[str, Any]]) -> None:
    """Invalid (400) naming each field whose text holds a character no column can store."""
    bad = {
        str(name)[:64]: "This holds a character that can't be saved (a control character such as NUL). Remove it."
        for name, value in items
        if isinstance(value, str) and (UNSTORABLE.search(value) or UNSTORABLE.search(str(name)))
    }
    if bad:
        raise Invalid(bad)


# The longest text any form field takes, in characters (code points) after decoding: a journal entry's 50,000.
# Rooms count their own limits in characters; the transport cap below follows from this one, so text within a
# room's limit is never refused for its size in transit, whatever the script and whichever encoding the browser
# or htmx uses. One code point is at most 4 bytes of UTF-8 (emoji, rarer CJK), which percent-encoding (form
# posts, htmx's default) sends as 12 bytes; multipart sends the 4 bytes raw. The cap allows twice the longest text
# at that worst case, so an entry somewhat over its limit still reaches its field's own check and message.
LONGEST_TEXT = 50_000
MAX_BYTES_PER_CHARACTER = 12  # "%F0%9F%8C%8A": one 4-byte code point, percent-encoded
MAX_FIELD_BYTES = 2 * LONGEST_TEXT * MAX_BYTES_PER_CHARACTER
TOO_LONG = (
    f"This is more than one page can send (over {2 * LONGEST_TEXT:,} characters in one box). Nothing was saved and"
    " your words are still on the page: split them into two."
)


async def form(request: Request) -> FormData:
    try:
        data = await request.form(max_files=0, max_fields=200, max_part_size=MAX_FIELD_BYTES)
    except HTTPException as exc:  # Starlette's refusal of an oversized or malformed body, said as a form problem
        raise Invalid(
            {"form": TOO_LONG if "maximum size" in str(exc.detail) else "Reload the page and try again."}
        ) from None
    check_input(data.multi_items())
    return data


async def _check_csrf(request: Request) -> None:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in {"same-origin", "none"}:
        raise CsrfFailure("cross-site request")
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("Host", ""):
        raise CsrfFailure("origin mismatch")
    sent = request.headers.get("X-CSRF-Token")
    if sent is None:
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = str((await form(request)).get("csrf_token", ""))
    current = request.state.actor.session
    settings = request.app.state.settings
    expected = current.csrf_token if current else request.cookies.get(settings.csrf_cookie_name, "")
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfFailure("token missing or wrong")


async def _load_actor(request: Request) -> Actor:
    app_state = request.app.state
    settings = app_state.settings
    now = settings.clock()
    base = Actor(
        user=None,
        now=now,
        settings=settings,
        passwords=app_state.passwords,
        ip=client_ip(request, settings.trusted_proxies),
        request_id=request.state.request_id,
        registry=app_state.registry,
    )
    loaded = await sessions.load(settings, request.cookies.get(settings.cookie_name), now)
    if loaded.session is None:
        return base
    if loaded.expired:
        await accounts.expire(base, loaded.session)
        request.state.session_expired = True
        return base
    return Actor(
        user=loaded.session.user,
        now=now,
        settings=settings,
        passwords=app_state.passwords,
        ip=base.ip,
        request_id=base.request_id,
        session=loaded.session,
        registry=app_state.registry,
    )


def client_ip(request: Request, trusted: Sequence[str]) -> str:
    """The client's address: the connection's peer, unless the peer is a trusted proxy; then the nearest address in
    X-Forwarded-For that is not itself a trusted proxy. Used for throttles, sessions and the audit log alike."""
    peer = request.client.host if request.client else ""
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop[:64]
    return peer


def _is_trusted(address: str, trusted: Sequence[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in trusted)


def route(
    path: str,
    endpoint: Endpoint,
    *,
    roles: Collection[str],
    methods: Collection[str] = ("GET",),
    name: str | None = None,
    during: Collection[str] = (),
) -> Route:
    """A route that declares who may use it (and which sign-in gate it lets through, server/gate.py). Every route in
    the app is made here (a test checks)."""
    allowed = frozenset(roles)
    if not allowed:
        raise ValueError(f"route {path} declares no roles")

    @wraps(endpoint)
    async def guarded(request: Request) -> Response:
        request.state.actor = who = await _load_actor(request)
        request.state.gate = held = gate.of(who)  # server/gate.py: a half-signed-in session sees no badges or nav
        if allowed != PUBLIC:
            if who.user is None:
                return _to_login(request)
            if held and (to := gate.stop(held, during)):
                return redirect(request, url(request, to) + gate.after(request, to))
            if who.user.role not in allowed:
                await _denied(who, request, path)
                # A route that takes an id answers 404, so a role that may never see such records learns nothing.
                raise NotFound(path) if "{" in path else Forbidden(path)
        if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in request.path_params.values()):
            raise NotFound(path)
        check_input(request.query_params.multi_items())
        if request.method not in SAFE_METHODS:
            await _check_csrf(request)
        elif who.user is not None and not is_htmx(request) and not held:
            providers = request.app.state.registry.badges
            request.state.badges = {k: v for provider in providers for k, v in (await provider(who)).items()}
        async with audit.reads_durable():
            response = await endpoint(request)
        if who.session is not None and SESSION_HEADER not in response.headers:
            response.headers[SESSION_HEADER] = str(sessions.seconds_left(who.settings, who.session, who.now))
        return response

    guarded.roles = allowed  # type: ignore[attr-defined]
    guarded.during = frozenset(during)  # type: ignore[attr-defined]
    return Route(path, guarded, methods=list(methods), name=name)


def _to_login(request: Request) -> Response:
    target = url(request, "server:login")
    if request.method == "GET":
        target += "?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    elif is_htmx(request) and request.headers.get("HX-Current-URL"):
        # An autosave after the session ended: come back to the page being written on (its words wait in the tab).
        page = urlsplit(request.headers["HX-Current-URL"])
        if page.netloc == request.headers.get("Host", ""):
            target += "?next=" + quote(page.path + (f"?{page.query}" if page.query else ""))
    if getattr(request.state, "session_expired", False):
        target += ("&" if "?" in target else "?") + "expired=1"
    return redirect(request, target)


async def _denied(who: Actor, request: Request, path: str) -> None:
    """Recorded as the route's pattern and its id parameters: never the path as typed (no free text in the log)."""
    ids = {k: v for k, v in request.path_params.items() if isinstance(v, int)}
    async with in_transaction():
        await audit.record(
            who, audit.ACCESS_DENIED, outcome="denied", object_type="route", object_id=path[:64], detail={"ids": ids}
        )


def safe_next(value: str | None, default: str) -> str:
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default
