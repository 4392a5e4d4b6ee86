"""The care room's pages: caseload, patient chart, courses, care teams and risk alerts."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from care import courses, glass, measure_routes, patients, record_routes
from care.chart import geometry
from care.forms import parse_consent, parse_course, parse_course_status, parse_patient
from care.measures import acknowledge, open_alerts
from care.models import ConsentKind, CourseStatus, Protocol
from care.progress import split
from server.errors import Invalid
from server.forms import Form
from server.policy import ADMIN, CARE_STAFF, CLINICIANS, SUPERVISOR, THERAPIST
from server.web import MAX_ID, actor, form, form_key, redirect, render, route, url

PROTOCOLS = [p.value for p in Protocol]


def _id(request: Request, name: str = "patient_id") -> int:
    return int(request.path_params[name])



async def caseload(request: Request) -> Response:
    caseload = await patients.caseload(actor(request))
    return render(request, "care/caseload.html", {"rows": caseload.rows, "panels": caseload.panels})


async def new_patient_page(request: Request) -> Response:
    return render(request, "care/patient_new.html", {"values": {}, "errors": {}})


async def create_patient(request: Request) -> Response:
    who = actor(request)
    raw = await form(request)
    data, f = parse_patient(raw, who.today)
    try:
        patient = await patients.create_patient(who, form_key(raw), data, f.errors, raw)
    except Invalid as exc:
        return render(request, "care/patient_new.html", {"values": f.values, "errors": exc.errors}, status=exc.status)
    return redirect(request, url(request, "care:chart", patient_id=patient.id))


async def chart_page(request: Request) -> Response:
    return _chart(request, await patients.chart(actor(request), _id(request)))


def _chart(
    request: Request, chart: patients.Chart, errors: dict[str, str] | None = None, status: int = 200, values: Any = None
) -> Response:
    """The chart page, first shown or with a refused form's messages (and the new-course form's input)."""
    who = actor(request)
    progress = split(chart.patient, chart.measures, [i for i in chart.infusions if i.started_at], who.tz)
    ctx = {
        "chart": chart,
        "progress": progress,
        "geometry": geometry(progress, who.tz),
        "errors": errors or {},
        "course_values": values or {},
        "protocols": PROTOCOLS,
        "statuses": [s.value for s in CourseStatus],
        "consent_kinds": [k.value for k in ConsentKind],
        "today": who.today.isoformat(),
    }
    return render(request, "care/chart.html", ctx, status=status)


async def start_course(request: Request) -> Response:
    who = actor(request)
    raw = await form(request)
    data, f = parse_course(raw, who.today)
    try:
        await courses.start_course(who, _id(request), form_key(raw), data, f.errors)
    except Invalid as exc:
        return _chart(request, exc.page, exc.errors, status=exc.status, values=f.values)
    return redirect(request, url(request, "care:chart", patient_id=_id(request)) + "#courses")


async def course_status(request: Request) -> Response:
    data = await form(request)
    status, f = parse_course_status(data)
    version = f.integer("version", "the version", 0, 2**31 - 1, required=False)
    try:
        course = await courses.set_course_status(actor(request), _id(request, "course_id"), version, status, f.errors)
    except Invalid as exc:
        return _chart(request, exc.page, exc.errors, status=exc.status)
    return redirect(request, url(request, "care:chart", patient_id=course.patient_id) + "#courses")


async def record_consent(request: Request) -> Response:
    who = actor(request)
    raw = await form(request)
    data, f = parse_consent(raw, who.today)
    try:
        consent = await courses.record_consent(who, _id(request, "course_id"), form_key(raw), data, f.errors)
    except Invalid as exc:
        return _chart(request, exc.page, exc.errors, status=exc.status)
    return redirect(request, url(request, "care:chart", patient_id=consent.course.patient_id) + "#courses")


async def care_teams(request: Request) -> Response:
    teams = await patients.care_teams(actor(request))
    return render(request, "care/care_teams.html", {"teams": teams})


async def change_team(request: Request) -> Response:
    data = await form(request)
    therapist_id = Form(data).integer("therapist_id", "a therapist", 1, MAX_ID, required=False) or 0
    teams, chart = url(request, "care:care_teams"), url(request, "care:chart", patient_id=_id(request))
    await patients.change_care_team(actor(request), _id(request), therapist_id, add=data.get("action") != "remove")
    return redirect(request, chart if data.get("back") == chart else teams)


async def alerts(request: Request) -> Response:
    return render(request, "care/alerts.html", {"alerts": await open_alerts(actor(request)), "errors": {}})


async def ack_alert(request: Request) -> Response:
    action = str((await form(request)).get("action_taken", ""))
    try:
        await acknowledge(actor(request), _id(request, "alert_id"), action)
    except Invalid as exc:
        return render(request, "care/alerts.html", {"alerts": exc.page, "errors": exc.errors}, status=exc.status)
    return redirect(request, url(request, "care:alerts"))


async def glass_form(request: Request) -> Response:
    return render(request, "care/glass_request.html", {"values": {}, "errors": {}})


async def glass_request(request: Request) -> Response:
    data = await form(request)
    values = {"mrn": str(data.get("mrn", ""))[:32], "reason": str(data.get("reason", ""))[:500]}
    try:
        grant = await glass.request_access(
            actor(request), form_key(data), values["mrn"], values["reason"], str(data.get("password", "")),
            str(data.get("code", "")),
        )
    except Invalid as exc:
        ctx = {"values": values, "errors": exc.errors}
        return render(request, "care/glass_request.html", ctx, status=exc.status)
    return redirect(request, url(request, "care:chart", patient_id=grant.patient_id))


routes = [
    route("/caseload", caseload, roles=CARE_STAFF, name="caseload"),
    route("/patients/new", new_patient_page, roles=CARE_STAFF),
    route("/patients/new", create_patient, roles=CARE_STAFF, methods=["POST"]),
    route("/patients/{patient_id:int}", chart_page, roles=CARE_STAFF, name="chart"),
    route("/patients/{patient_id:int}/courses", start_course, roles=CARE_STAFF, methods=["POST"]),
    route("/courses/{course_id:int}/status", course_status, roles=CARE_STAFF, methods=["POST"]),
    route("/courses/{course_id:int}/consents", record_consent, roles=CARE_STAFF, methods=["POST"]),
    route("/care-teams", care_teams, roles=SUPERVISOR | ADMIN),
    route("/patients/{patient_id:int}/care-team", change_team, roles=SUPERVISOR | ADMIN, methods=["POST"]),
    route("/alerts", alerts, roles=CLINICIANS),
    route("/alerts/{alert_id:int}/ack", ack_alert, roles=CLINICIANS, methods=["POST"]),
    route("/break-glass", glass_form, roles=THERAPIST),
    route("/break-glass", glass_request, roles=THERAPIST, methods=["POST"]),
    *record_routes.routes,
    *measure_routes.routes,
]
