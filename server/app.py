"""The application factory: settings in, a Starlette app out. No module-level app state."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from tortoise.contrib.starlette import RegisterTortoise

from server import admin_routes, routes
from server.actor import Actor
from server.db import ROOMS, tortoise_config
from server.errors import Forbidden, Invalid, NotFound, Throttled
from server.middleware import RequestContextMiddleware
from server.passwords import Passwords
from server.settings import ROOT, Settings, from_env
from server.web import CsrfFailure, make_templates

ERROR_TITLES = {
    400: ("Something in that request wasn't right", "Go back, check what you entered and try again."),
    403: ("You can't do that here", "Your account doesn't allow this. If you think it should, ask your clinic admin."),
    404: ("We couldn't find that page", "It may have moved, or it isn't available to your account."),
    405: ("That action isn't available here", "Go back and use the buttons on the page."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Something went wrong on our side", "Nothing you did caused this. Your saved work is safe; try again."),
    "csrf": ("This form has expired", "Nothing was changed. Go back, reload the page and try again."),
}


def room_routes() -> list[BaseRoute]:
    """Each room's `routes` list, found by name so the shell never imports a room."""
    found: list[BaseRoute] = []
    for room in ROOMS:
        if importlib.util.find_spec(f"{room}.routes"):
            found += importlib.import_module(f"{room}.routes").routes
    return found


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or from_env()
    templates = make_templates()

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
        }
        template = templates.env.get_template("errors/error.html")
        return Response(template.render(context), status_code=status, media_type="text/html")

    async def handle(request: Request, exc: Exception) -> Response:
        status = _status_for(exc)
        actor = getattr(request.state, "actor", None)
        kind = "csrf" if isinstance(exc, CsrfFailure) else None
        response = error_page(request.scope, status, request.state.request_id, actor, kind)
        if isinstance(exc, Throttled):
            response.headers["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, HTTPException) and exc.headers:
            response.headers.update(exc.headers)
        return response

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(settings)):
            yield

    app = Starlette(
        routes=[
            *routes.routes,
            *admin_routes.routes,
            *room_routes(),
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
            cls: handle for cls in (HTTPException, NotFound, Forbidden, CsrfFailure, Throttled, Invalid)
        },
    )
    app.state.settings = settings
    app.state.templates = templates
    app.state.passwords = Passwords(settings)
    return app


def _status_for(exc: Exception) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    return {NotFound: 404, Forbidden: 403, CsrfFailure: 403, Throttled: 429, Invalid: 400}[type(exc)]
