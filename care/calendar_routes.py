"""The clinic calendar: the day and week views, booking a session, and a session's page with its status."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from care import calendar
from care.calendar_models import BookingKind
from server.errors import Invalid
from server.forms import Form
from server.policy import CARE_STAFF
from server.web import actor, form, form_key, redirect, render, route, url

KINDS = [k.value for k in BookingKind]


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


async def calendar_page(request: Request) -> Response:
    q = request.query_params
    clinician = q.get("clinician", "")
    clinician_id = int(clinician) if clinician.isdigit() and int(clinician) < 2**31 else None
    view = await calendar.calendar(actor(request), q.get("view", "week"), _day(q.get("date", "")), clinician_id)
    return render(request, "care/calendar.html", {"cal": view})


async def new_page(request: Request) -> Response:
    page = await calendar.new_page(actor(request), int(request.path_params["patient_id"]))
    return render(request, "care/booking_new.html", page | {"errors": {}, "kinds": KINDS})


async def create(request: Request) -> Response:
    who, raw = actor(request), await form(request)
    data, f = calendar.parse(raw, who.tz, who.now)
    try:
        booking = await calendar.book(who, int(request.path_params["patient_id"]), form_key(raw), data, f.errors)
    except Invalid as exc:
        ctx = exc.page | {"values": f.values, "errors": exc.errors, "kinds": KINDS}
        return render(request, "care/booking_new.html", ctx, status=exc.status)
    return redirect(request, url(request, "care:booking", booking_id=booking.id) + "?done=booked")


async def show(request: Request) -> Response:
    page = await calendar.booking_page(actor(request), int(request.path_params["booking_id"]))
    done = request.query_params.get("done", "")
    return render(request, "care/booking.html", {"b": page.booking, "panels": page.panels, "errors": {}, "done": done})


async def change_status(request: Request) -> Response:
    raw = await form(request)
    f = Form(raw)
    version = f.integer("version", "the version", 0, 2**31 - 1, required=False)
    to, reason = str(raw.get("status", "")), str(raw.get("reason", ""))
    try:
        booking = await calendar.set_status(actor(request), int(request.path_params["booking_id"]), version, to, reason)
    except Invalid as exc:
        ctx = {"b": exc.page, "panels": [], "errors": exc.errors, "done": ""}
        return render(request, "care/booking.html", ctx, status=exc.status)
    return redirect(request, url(request, "care:booking", booking_id=booking.id) + "?done=" + booking.status)


routes = [
    route("/calendar", calendar_page, roles=CARE_STAFF, name="calendar"),
    route("/patients/{patient_id:int}/bookings/new", new_page, roles=CARE_STAFF, name="booking_new"),
    route("/patients/{patient_id:int}/bookings/new", create, roles=CARE_STAFF, methods=["POST"], name="booking_create"),
    route("/bookings/{booking_id:int}", show, roles=CARE_STAFF, name="booking"),
    route(
        "/bookings/{booking_id:int}/status", change_status, roles=CARE_STAFF, methods=["POST"], name="booking_status"
    ),
]
