"""The care room's pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.policy import CLINICIANS
from server.web import render, route


async def home(request: Request) -> Response:
    return render(request, "care/home.html")


routes = [
    route("/caseload", home, roles=CLINICIANS, name="care_home"),
]
