"""A person setting their own password on a one-time link, and a supervisor approving an admin's request that an
account read clinical content (server/enrolment.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server import enrolment, password_reset, step_up
from server.errors import Invalid
from server.policy import PUBLIC, SUPERVISOR
from server.web import actor, form, redirect, render, route, url

TEMPLATE = "server/enrol.html"


def _token(request: Request) -> str:
    return str(request.path_params["token"])[:128]


async def enrol_page(request: Request) -> Response:
    try:
        row = await enrolment.find(actor(request), _token(request))
    except Invalid as exc:
        return render(request, TEMPLATE, {"row": exc.page, "errors": exc.errors, "closed": True}, status=exc.status)
    return render(request, TEMPLATE, {"row": row, "errors": {}, "closed": False})


async def enrol(request: Request) -> Response:
    data = await form(request)
    password, confirm = str(data.get("password", ""))[:1024], str(data.get("confirm", ""))[:1024]
    try:
        await enrolment.enrol(actor(request), _token(request), password, confirm)
    except Invalid as exc:
        ctx = {"row": exc.page, "errors": exc.errors, "closed": exc.status == 410}
        return render(request, TEMPLATE, ctx, status=exc.status)
    return redirect(request, url(request, "server:login") + "?enrolled=1")


async def approvals(request: Request) -> Response:
    waiting = await enrolment.pending(actor(request))
    return render(request, "server/approvals.html", {"waiting": waiting, "errors": {}, "failed": None})


async def decide(request: Request) -> Response:
    data = await form(request)
    choice, approval_id = str(data.get("decision", ""))[:16], int(request.path_params["approval_id"])
    try:
        decision = await enrolment.decide(actor(request), approval_id, choice, step_up.proof(data))
    except Invalid as exc:
        return render(request, "server/approvals.html", exc.page | {"errors": exc.errors}, status=exc.status)
    return render(request, "server/decided.html", {"decision": decision})


async def reset_page(request: Request) -> Response:
    mail = enrolment.by_mail(request.app.state.settings)
    return render(request, "server/reset.html", {"email": "", "errors": {}, "sent": False, "mail": mail})


async def reset(request: Request) -> Response:
    data = await form(request)
    email = str(data.get("email", ""))[:254]
    try:
        typed = await password_reset.request_reset(actor(request), email)
    except Invalid as exc:
        ctx = {"email": email, "errors": exc.errors, "sent": False, "mail": True}
        return render(request, "server/reset.html", ctx, status=exc.status)
    return render(request, "server/reset.html", {"email": typed, "errors": {}, "sent": True, "mail": True})


routes = [
    route("/password-reset", reset_page, roles=PUBLIC, name="reset_page"),
    route("/password-reset", reset, roles=PUBLIC, methods=["POST"], name="reset"),
    route("/enrol/{token}", enrol_page, roles=PUBLIC, name="enrol_page"),
    route("/enrol/{token}", enrol, roles=PUBLIC, methods=["POST"], name="enrol"),
    route("/approvals", approvals, roles=SUPERVISOR, name="approvals"),
    route("/approvals/{approval_id:int}", decide, roles=SUPERVISOR, methods=["POST"], name="decide"),
]
