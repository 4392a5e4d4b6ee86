"""Admin pages: the clinic's accounts — create, edit, disable/enable, reset a sign-in. No clinical content: people
set their own passwords on one-time links, and access to clinical content is approved by a supervisor."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server import account_admin, accounts
from server.errors import Invalid
from server.forms import Form
from server.models import CREDENTIALS, Role
from server.policy import ADMIN
from server.web import actor, form, form_key, redirect, render, route, url

ROLES = [r.value for r in Role]
NOTES = {
    "saved": "Changes saved.",
    "disabled": "Account disabled; all its sessions have ended.",
    "enabled": "Account enabled.",
}


def _user_id(request: Request) -> int:
    return int(request.path_params["user_id"])


async def user_list(request: Request) -> Response:
    users = await accounts.list_users(actor(request))
    return render(request, "server/admin/users.html", {"users": users})


async def new_user_page(request: Request) -> Response:
    values = {"email": "", "name": "", "role": "therapist", "credential": "", "is_trainee": False}
    ctx = {"values": values, "errors": {}, "roles": ROLES, "credentials": CREDENTIALS}
    return render(request, "server/admin/new_user.html", ctx)


async def create_user(request: Request) -> Response:
    data = await form(request)
    values: dict[str, Any] = {k: str(data.get(k, "")) for k in ("email", "name", "role", "credential")}
    values["is_trainee"] = "is_trainee" in data
    who = actor(request)
    try:
        issued = await account_admin.invite_user(who, who.clinic, key=form_key(data), **values)
    except Invalid as exc:
        ctx = {"values": values, "errors": exc.errors, "roles": ROLES, "credentials": CREDENTIALS}
        return render(request, "server/admin/new_user.html", ctx, status=exc.status)
    return render(request, "server/admin/issued.html", {"issued": issued, "what": "created"})


async def user_page(request: Request) -> Response:
    page = await account_admin.account_page(actor(request), _user_id(request))
    return _user_page(request, page, {}, note=NOTES.get(request.query_params.get("done", "")))


def _done(request: Request, user_id: int, what: str) -> Response:
    return redirect(request, url(request, "server:user_page", user_id=user_id) + f"?done={what}")


def _user_page(
    request: Request,
    page: dict[str, Any],
    errors: dict[str, str],
    *,
    note: str | None = None,
    status: int = 200,
    values: dict[str, object] | None = None,
) -> Response:
    target = page["target"]
    values = values or {
        "name": target.name,
        "role": target.role,
        "credential": target.credential,
        "is_trainee": target.is_trainee,
    }
    ctx = page | {"errors": errors, "roles": ROLES, "credentials": CREDENTIALS, "note": note, "values": values}
    return render(request, "server/admin/user.html", ctx, status=status)


async def update_user(request: Request) -> Response:
    data = await form(request)
    typed: dict[str, Any] = {k: str(data.get(k, "")) for k in ("name", "role", "credential")}
    typed["is_trainee"] = "is_trainee" in data
    version = Form(data).integer("version", "the version", 0, 2**31 - 1, required=False)
    try:
        target = await account_admin.update_user(actor(request), _user_id(request), version=version, **typed)
    except Invalid as exc:
        return _user_page(request, exc.page, exc.errors, status=exc.status, values=typed | {"stale": exc.status == 409})
    return _done(request, target.id, "saved")


async def disable_user(request: Request) -> Response:
    target = await account_admin.set_disabled(actor(request), _user_id(request), True)
    return _done(request, target.id, "disabled")


async def enable_user(request: Request) -> Response:
    target = await account_admin.set_disabled(actor(request), _user_id(request), False)
    return _done(request, target.id, "enabled")


async def reset_sign_in(request: Request) -> Response:
    try:
        issued = await account_admin.reset_sign_in(actor(request), _user_id(request))
    except Invalid as exc:
        return _user_page(request, exc.page, exc.errors, status=exc.status)
    return render(request, "server/admin/issued.html", {"issued": issued, "what": "reset"})


routes = [
    route("/admin/users", user_list, roles=ADMIN, name="admin_users"),
    route("/admin/users/new", new_user_page, roles=ADMIN),
    route("/admin/users/new", create_user, roles=ADMIN, methods=["POST"]),
    route("/admin/users/{user_id:int}", user_page, roles=ADMIN),
    route("/admin/users/{user_id:int}", update_user, roles=ADMIN, methods=["POST"]),
    route("/admin/users/{user_id:int}/disable", disable_user, roles=ADMIN, methods=["POST"]),
    route("/admin/users/{user_id:int}/enable", enable_user, roles=ADMIN, methods=["POST"]),
    route("/admin/users/{user_id:int}/password", reset_sign_in, roles=ADMIN, methods=["POST"], name="reset_password"),
]
