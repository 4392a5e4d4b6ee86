"""Replying to an entry the patient shared (notes/replies.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from notes import replies
from server.errors import Invalid
from server.policy import CLINICIANS
from server.web import actor, form, form_key, redirect, render, route, url


async def reply_page(request: Request) -> Response:
    page = await replies.reply_page(actor(request), int(request.path_params["entry_id"]))
    done = request.query_params.get("done", "") == "sent"
    return render(request, "notes/reply.html", {"r": page, "errors": {}, "body": "", "done": done})


async def send(request: Request) -> Response:
    raw = await form(request)
    body = str(raw.get("body", ""))
    entry_id = int(request.path_params["entry_id"])
    try:
        await replies.send(actor(request), entry_id, form_key(raw), body)
    except Invalid as exc:
        ctx = {"r": exc.page, "errors": exc.errors, "body": body, "done": False}
        return render(request, "notes/reply.html", ctx, status=exc.status)
    return redirect(request, url(request, "notes:reply_page", entry_id=entry_id) + "?done=sent")


routes = [
    route("/shared-entries/{entry_id:int}/replies", reply_page, roles=CLINICIANS, name="reply_page"),
    route("/shared-entries/{entry_id:int}/replies", send, roles=CLINICIANS, methods=["POST"], name="reply_send"),
]
