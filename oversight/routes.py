"""The oversight room's pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.policy import SUPERVISOR
from server.web import render, route


async def home(request: Request) -> Response:
    return render(request, "oversight/home.html")


routes = [
    route("/oversight", home, roles=SUPERVISOR, name="oversight_home"),
]
