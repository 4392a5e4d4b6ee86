"""Supervisor pages (audit viewer, quality, co-sign queue, break-glass review), break-glass requests, the patient's
access log and the admin's clinic settings."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from oversight import audit_viewer, clinic_settings, glass, patient_view, quality, reviews
from oversight.audit_viewer import Filters
from server.errors import Invalid
from server.forms import Form
from server.policy import ADMIN, PATIENT, SUPERVISOR
from server.web import actor, form, form_key, redirect, render, route, url


def _filters(request: Request) -> tuple[Filters, dict[str, str]]:
    f = Form(request.query_params)
    latest = actor(request).today
    filters = Filters(
        actor=f.text("actor", "an actor", max_len=254),
        patient=f.text("patient", "a patient", max_len=32),
        action=f.choice("action", "an action", sorted(actor(request).registry.actions), required=False) or "",
        outcome=f.choice("outcome", "an outcome", ["ok", "denied"], required=False) or "",
        since=f.date("since", "the start date", latest=latest, required=False),
        until=f.date("until", "the end date", latest=latest, required=False),
        before=f.integer("before", "a page", 1, 2**62, required=False),
    )
    return filters, f.errors


async def home(request: Request) -> Response:
    return render(request, "oversight/home.html", {"q": await quality.dashboard(actor(request))})


async def overdue(request: Request) -> Response:
    return render(request, "oversight/overdue.html", {"infusions": await quality.overdue_list(actor(request))})


async def audit_page(request: Request) -> Response:
    filters, errors = _filters(request)
    raw = {
        k: request.query_params.get(k, "")[:254] for k in ("actor", "patient", "action", "outcome", "since", "until")
    }
    ctx = {"filters": filters, "raw": raw, "errors": errors, "actions": sorted(actor(request).registry.actions)}
    if errors:  # nothing is shown for a filter that could not be read: a wrong log is worse than none
        return render(request, "oversight/audit.html", {**ctx, "page": None}, status=400)
    return render(request, "oversight/audit.html", {**ctx, "page": await audit_viewer.page(actor(request), filters)})


async def audit_csv(request: Request) -> Response:
    filters, errors = _filters(request)
    if errors:
        raise Invalid(errors)
    stream = await audit_viewer.csv_stream(actor(request), filters)
    return StreamingResponse(
        stream,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


async def audit_verify(request: Request) -> Response:
    await audit_viewer.verify_now(actor(request))
    return redirect(request, url(request, "oversight:audit_page"))


async def cosign_queue(request: Request) -> Response:
    mine, unassigned = await quality.cosign_queue(actor(request))
    return render(request, "oversight/cosign.html", {"notes": mine, "unassigned": unassigned})


async def glass_list(request: Request) -> Response:
    return _glass_list(request, await glass.for_review(actor(request)))


def _glass_list(request: Request, grants: list, errors: dict | None = None, status: int = 200) -> Response:
    return render(request, "oversight/break_glass.html", {"grants": grants, "errors": errors or {}}, status=status)


async def glass_review(request: Request) -> Response:
    note = str((await form(request)).get("review_note", ""))
    try:
        await glass.review(actor(request), int(request.path_params["grant_id"]), note)
    except Invalid as exc:
        return _glass_list(request, exc.page, exc.errors, status=exc.status)
    return redirect(request, url(request, "oversight:glass_list"))


async def review_list(request: Request) -> Response:
    return _review_list(request, await reviews.listing(actor(request)))


def _review_list(request: Request, listing: list, errors: dict | None = None, status: int = 200) -> Response:
    ctx = {"reviews": listing, "outcomes": reviews.OUTCOMES, "errors": errors or {}}
    return render(request, "oversight/reviews.html", ctx, status=status)


async def draw_sample(request: Request) -> Response:
    data = await form(request)
    f = Form(data)
    count = f.integer("count", "how many notes", 1, 50) or 0
    days = f.integer("days", "the period in days", 1, 365) or 0
    try:
        await reviews.draw(actor(request), form_key(data), count, days, f.errors)
    except Invalid as exc:
        return _review_list(request, exc.page, exc.errors, status=exc.status)
    return redirect(request, url(request, "oversight:review_list"))


async def record_review(request: Request) -> Response:
    data = await form(request)
    outcome, comment = str(data.get("outcome", "")), str(data.get("comment", ""))[:1000]
    try:
        await reviews.record(actor(request), int(request.path_params["review_id"]), outcome, comment)
    except Invalid as exc:
        return _review_list(request, exc.page, exc.errors, status=exc.status)
    return redirect(request, url(request, "oversight:review_list"))


async def me(request: Request) -> Response:
    return render(request, "oversight/me.html", {"log": await patient_view.access_log(actor(request))})


async def settings_page(request: Request) -> Response:
    values = await clinic_settings.current(actor(request))
    ctx = {"values": values, "errors": {}, "saved": "saved" in request.query_params, "meanwhile": None}
    return render(request, "oversight/settings.html", ctx)


async def save_settings(request: Request) -> Response:
    data = await form(request)
    try:
        await clinic_settings.save(actor(request), data)
    except Invalid as exc:
        values = clinic_settings.as_typed(data)
        ctx = {"values": values, "errors": exc.errors, "saved": False, "meanwhile": exc.page}
        return render(request, "oversight/settings.html", ctx, status=exc.status)
    return redirect(request, url(request, "oversight:settings_page") + "?saved=1")


routes = [
    route("/oversight", home, roles=SUPERVISOR),
    route("/oversight/overdue-notes", overdue, roles=SUPERVISOR),
    route("/oversight/audit", audit_page, roles=SUPERVISOR),
    route("/oversight/audit.csv", audit_csv, roles=SUPERVISOR),
    route("/oversight/audit/verify", audit_verify, roles=SUPERVISOR, methods=["POST"]),
    route("/oversight/cosign", cosign_queue, roles=SUPERVISOR),
    route("/oversight/reviews", review_list, roles=SUPERVISOR),
    route("/oversight/reviews", draw_sample, roles=SUPERVISOR, methods=["POST"]),
    route("/oversight/reviews/{review_id:int}", record_review, roles=SUPERVISOR, methods=["POST"]),
    route("/oversight/break-glass", glass_list, roles=SUPERVISOR),
    route("/oversight/break-glass/{grant_id:int}/review", glass_review, roles=SUPERVISOR, methods=["POST"]),
    route("/me", me, roles=PATIENT),
    route("/admin/settings", settings_page, roles=ADMIN),
    route("/admin/settings", save_settings, roles=ADMIN, methods=["POST"]),
]
