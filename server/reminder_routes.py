"""`/me/reminders`: what a person gets by email, and when not."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server import reminders
from server.errors import Invalid
from server.policy import ANY_USER
from server.web import actor, form, render, route

TEMPLATE = "server/reminders.html"


async def reminders_page(request: Request) -> Response:
    shown = await reminders.page(actor(request))
    return render(request, TEMPLATE, {"shown": shown, "errors": {}, "saved": False, "hours": reminders.HOURS})


async def save(request: Request) -> Response:
    try:
        shown = await reminders.save(actor(request), await form(request))
    except Invalid as exc:
        ctx = {"shown": exc.page, "errors": exc.errors, "saved": False, "hours": reminders.HOURS}
        return render(request, TEMPLATE, ctx, status=exc.status)
    return render(request, TEMPLATE, {"shown": shown, "errors": {}, "saved": True, "hours": reminders.HOURS})


routes = [
    route("/me/reminders", reminders_page, roles=ANY_USER, name="reminders"),
    route("/me/reminders", save, roles=ANY_USER, methods=["POST"], name="save_reminders"),
]
