"""The web app built from settings and a registry the rooms filled (afterglow.create_app). No module-level state."""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from asyncpg.exceptions import TransactionRollbackError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from tortoise.contrib.starlette import RegisterTortoise

from server import outbox
from server.actor import Actor
from server.db import tortoise_config
from server.errors import Forbidden, Invalid, NotFound, Throttled
from server.middleware import RequestContextMiddleware
from server.passwords import Passwords
from server.registry import Registry
from server.settings import ROOT, Settings
from server.templating import make_templates
from server.web import CsrfFailure, RoomMount, Urls, is_htmx

log = logging.getLogger("afterglow")

ERROR_TITLES = {
    400: ("Something in that request wasn't right", "Go back, check what you entered and try again."),
    403: ("You can't do that here", "Your account doesn't allow this. If you think it should, ask your clinic admin."),
    404: ("We couldn't find that page", "It may have moved, or it isn't available to your account."),
    405: ("That action isn't available here", "Go back and use the buttons on the page."),
    409: ("Someone changed this at the same moment", "Nothing was saved. Reload the page, check it and try again."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Something went wrong on our side", "Nothing you did caused this. Your saved work is safe; try again."),
    "csrf": ("This form has expired", "Nothing was changed. Go back, reload the page and try again."),
}


def build_app(settings: Settings, registry: Registry) -> Starlette:
    """The Starlette app: one named Mount per room (in set-up order), the error pages, the request middleware."""
    compiled = settings.var_dir / "templates"  # filled by `serve` before the workers start (server.web.precompile)
    templates = make_templates(settings.template_reload, compiled if compiled.is_dir() else None)
    templates.env.globals["passkey_origin"] = settings.rp_origin  # passkey controls show only on this origin

    def error_page(
        scope: Scope, status: int, request_id: str, actor: Actor | None = None, kind: object = None
    ) -> Response:
        title, hint = ERROR_TITLES.get(kind or status, ERROR_TITLES[500])
        session = actor.session if actor else None
        context = {
            "status": status,
            "title": title,
            "hint": hint,
            "request_id": request_id,
            "user": actor.user if actor else None,
            "csrf_token": session.csrf_token if session else "",
            "nav": registry.nav_for(actor.role if actor else None),
            "badges": {},
            "nav_current": "",
            "session_clock": None,  # no sign-out warning on an error page
            "urls": urls,
        }
        template = templates.env.get_template("errors/error.html")
        return Response(template.render(context), status_code=status, media_type="text/html")

    async def handle(request: Request, exc: Exception) -> Response:
        status = _status_for(exc)
        if status == 409 and not isinstance(exc, (HTTPException, Invalid)):  # the database chose this request to undo
            log.warning("request %s rolled back by the database: %s", request.state.request_id, type(exc).__name__)
        actor = getattr(request.state, "actor", None)
        kind = "csrf" if isinstance(exc, CsrfFailure) else None
        if is_htmx(request):  # an htmx target (the autosave's status line) gets a line, never a whole page
            response = error_fragment(status, kind, exc)
        else:
            response = error_page(request.scope, status, request.state.request_id, actor, kind)
        if isinstance(exc, Throttled):
            response.headers["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, HTTPException) and exc.headers:
            response.headers.update(exc.headers)
        return response

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(settings, registry.models)):
            async with outbox.delivering(settings, registry), AsyncExitStack() as stack:  # every worker delivers
                for worker in registry.workers:  # and runs the rooms' background work (interop's exports)
                    await stack.enter_async_context(worker(settings, registry))
                yield

    app = Starlette(
        routes=[
            *(RoomMount(mount.name, mount.routes()) for mount in registry.mounts),
            Mount("/static", StaticFiles(directory=Path(ROOT, "static")), name="static"),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(
                RequestContextMiddleware,
                render_500=lambda scope, rid: error_page(scope, 500, rid),
                hsts=settings.secure_cookies,
            )
        ],
        exception_handlers={
            cls: handle
            for cls in (HTTPException, NotFound, Forbidden, CsrfFailure, Throttled, Invalid, TransactionRollbackError)
        },
    )
    urls = Urls(app.routes)
    app.state.settings = settings
    app.state.registry = registry
    app.state.urls = urls
    app.state.templates = templates
    app.state.passwords = Passwords(settings)
    return app


def error_fragment(status: int, kind: object, exc: Exception) -> Response:
    """A refusal sized for an htmx target: one line, saying what happened; nothing typed is touched."""
    title, hint = ERROR_TITLES.get(kind or status, ERROR_TITLES[500])
    detail = next(iter(exc.errors.values())) if isinstance(exc, Invalid) and exc.errors else hint
    text = html.escape(f"Not saved: {detail}" if isinstance(exc, Invalid) else f"{title}. {hint}")
    line = f'<span class="save-problem" role="alert">{text}</span>'
    return Response(line, status_code=status, media_type="text/html")


def _status_for(exc: Exception) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, TransactionRollbackError):  # PostgreSQL broke a deadlock or a serialisation conflict
        return 409
    return {NotFound: 404, Forbidden: 403, CsrfFailure: 403, Throttled: 429, Invalid: 400}[type(exc)]
