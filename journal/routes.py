"""The journal room's pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.policy import PATIENT
from server.web import render, route


async def home(request: Request) -> Response:
    return render(request, "journal/home.html")


routes = [
    route("/journal", home, roles=PATIENT, name="journal_home"),
]
