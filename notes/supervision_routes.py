"""The supervision page (supervisors and admins): who supervises which trainee, from when to when; link and end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from notes import supervision
from server.errors import Invalid
from server.forms import Form
from server.policy import ADMIN, SUPERVISOR
from server.web import MAX_ID, actor, form, form_key, redirect, render, route, url

MANAGERS = SUPERVISOR | ADMIN
AHEAD = timedelta(days=3 * 366)  # the furthest a start or last day may be planned
DONE = {
    "linked": "The link is recorded.",
    "ended": "The link has ended; it stays in the history below.",
    "already": "That link had already ended (perhaps in another window); nothing changed.",
}


def _page(request: Request, board: Any, values: dict, errors: dict, *, status: int = 200) -> Response:
    note = DONE.get(request.query_params.get("done", "")) if not errors else None
    ctx = {"board": board, "values": values, "errors": errors, "note": note}
    return render(request, "notes/supervision.html", ctx, status=status)


async def page(request: Request) -> Response:
    values = {"supervisor_id": "", "supervisee_id": "", "started_on": actor(request).today.isoformat(), "ended_on": ""}
    return _page(request, await supervision.board(actor(request)), values, {})


async def link(request: Request) -> Response:
    data = await form(request)
    latest = actor(request).today + AHEAD
    f = Form(data)
    supervisor_id = f.integer("supervisor_id", "a supervisor", 1, MAX_ID)
    supervisee_id = f.integer("supervisee_id", "a trainee", 1, MAX_ID)
    days = (
        f.date("started_on", "the start date", latest=latest),
        f.date("ended_on", "the last day", latest=latest, required=False),
    )
    try:
        await supervision.link(actor(request), form_key(data), supervisor_id, supervisee_id, days, f.errors)
    except Invalid as exc:
        return _page(request, exc.page, f.values, exc.errors, status=exc.status)
    return redirect(request, url(request, "notes:supervision") + "?done=linked")


async def end(request: Request) -> Response:
    ended = await supervision.end(actor(request), int(request.path_params["link_id"]))
    return redirect(request, url(request, "notes:supervision") + ("?done=ended" if ended else "?done=already"))


routes = [
    route("/supervision", page, roles=MANAGERS, name="supervision"),
    route("/supervision", link, roles=MANAGERS, methods=["POST"], name="supervision_link"),
    route("/supervision/{link_id:int}/end", end, roles=MANAGERS, methods=["POST"], name="supervision_end"),
]
