"""Infusion records: create, view, edit, and vitals rows added one at a time with htmx."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from care import clinical, infusions, signing
from care import infusion_forms as forms
from care.clinical import Reading, total_mg, vital_flags
from care.forms import parse_infusion, parse_vitals
from care.models import Agent, BpDecision, Infusion, Phase, RouteOfAdmin, VitalSign
from server.errors import Invalid
from server.forms import Form
from server.policy import CARE_STAFF
from server.web import actor, form, form_key, is_htmx, redirect, render, route, url

CHOICES = {
    "phases": [p.value for p in Phase],
    "routes": [r.value for r in RouteOfAdmin],
    "agents": [a.value for a in Agent],
    "adverse": clinical.ADVERSE_EVENTS,
    "spravato_doses": [str(d) for d in clinical.SPRAVATO_DOSES_MG],
    "bp_decisions": [d.value for d in BpDecision],
}


def _id(request: Request) -> int:
    return int(request.path_params["infusion_id"])



def _form(
    request: Request, page: forms.InfusionForm, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    """The infusion form: new or edit, first shown or refused."""
    if page.infusion and errors.get("form") == forms.STALE:  # saving again starts from the version saved meanwhile
        values = {**values, "version": page.infusion.version}
    ctx = {
        "patient": page.patient,
        "infusion": page.infusion,
        "staff": page.staff,
        "saved_meanwhile": page.saved_meanwhile,
        "consents": page.consents,
        "booking": page.booking,
        "e": page,  # its interaction flags, for the checklist (templates/care/_interaction_flags.html)
        "values": values,
        "errors": errors,
        "total": _total(values),
        **CHOICES,
    }
    return render(request, "care/infusion_form.html", ctx, status=status)


def _page(
    request: Request,
    infusion: Infusion,
    vitals: list[VitalSign],
    flags: list[str],
    view: infusions.InfusionView | None = None,
    errors: dict[str, str] | None = None,
    values: Any = None,
    status: int = 200,
) -> Response:
    """The infusion page, or (for htmx) its vitals block: the one context both are drawn from."""
    ctx = {"view": view, "infusion": infusion, "vitals": vitals, "flags": flags, "values": values or {}}
    block = "vitals" if is_htmx(request) else None
    return render(request, "care/infusion.html", ctx | {"errors": errors or {}}, status=status, block=block)


async def new_page(request: Request) -> Response:
    booking = request.query_params.get("booking", "")
    booking_id = int(booking) if booking.isdigit() and int(booking) < 2**31 else None
    page = await forms.new_form(actor(request), int(request.path_params["patient_id"]), booking_id)
    return _form(request, page, page.values, page.problems, status=409 if page.problems else 200)


async def create(request: Request) -> Response:
    who = actor(request)
    raw = await form(request)
    data, f = parse_infusion(raw, who.tz, who.now, who.today)
    try:
        patient_id = int(request.path_params["patient_id"])
        booking = Form(raw).integer("booking_id", "the booked session", 1, 2**31 - 1, required=False)
        infusion = await infusions.create_infusion(who, patient_id, form_key(raw), data, f.errors, booking)
    except Invalid as exc:
        return _form(request, exc.page, f.values, exc.errors, status=exc.status)
    return redirect(request, url(request, "care:infusion", infusion_id=infusion.id))


async def show(request: Request) -> Response:
    who = actor(request)
    view = await infusions.view_infusion(who, _id(request), who.today)
    return _page(request, view.infusion, view.vitals, view.flags, view)


async def edit_page(request: Request) -> Response:
    page = await forms.edit_form(actor(request), _id(request))
    return _form(request, page, page.values, {})


async def update(request: Request) -> Response:
    who = actor(request)
    raw = await form(request)
    data, f = parse_infusion(raw, who.tz, who.now, who.today)
    version = Form(raw).integer("version", "the version", 0, 2**31 - 1, required=False)
    reason = str(raw.get("amend_reason", ""))[:400]
    f.values["amend_reason"] = reason
    try:
        await infusions.update_infusion(who, _id(request), version, data, f.errors, f.values, reason)
    except Invalid as exc:
        return _form(request, exc.page, f.values, exc.errors, status=exc.status)
    return redirect(request, url(request, "care:infusion", infusion_id=_id(request)))


async def add_vitals(request: Request) -> Response:
    """Add one row. htmx swaps the vitals block in place; without JavaScript the page reloads."""
    raw = await form(request)
    reading, f = parse_vitals(raw)
    try:
        added = await infusions.add_vitals(actor(request), _id(request), form_key(raw), reading, f.errors)
    except Invalid as exc:
        view = exc.page
        return _page(request, view.infusion, view.vitals, view.flags, view, exc.errors, f.values, status=exc.status)
    if not is_htmx(request):
        return redirect(request, url(request, "care:infusion", infusion_id=_id(request)) + "#vitals")
    return _page(request, added.infusion, added.rows, added.flags)


def _total(values: Any) -> Decimal | None:
    """dose mg/kg x weight, when both are plausible; the form shows it as the clinician types."""
    f = Form(values)
    dose = f.decimal("dose_mg_per_kg", "dose", *clinical.DOSE_MG_PER_KG_RANGE)
    weight = f.decimal("weight_kg", "weight", *clinical.WEIGHT_KG_RANGE)
    return total_mg(dose, weight) if dose is not None and weight is not None else None


async def preview_dose(request: Request) -> Response:
    return render(request, "care/_dose_total.html", {"total": _total(request.query_params)})


async def preview_flags(request: Request) -> Response:
    """Flags for the row being typed, against the baseline shown on the page; reads nothing from the database."""
    f = Form(request.query_params)
    candidate, _ = parse_vitals(request.query_params)
    base = [f.integer(n, n, 0, 400, required=False) for n in ("baseline_systolic", "baseline_diastolic")]
    rows = []
    if base[0] is not None and base[1] is not None:
        rows.append(Reading(-1, base[0], base[1], 80, 99))
    if candidate is not None:
        rows.append(
            candidate
            if rows
            else Reading(-1, candidate.systolic, candidate.diastolic, candidate.heart_rate, candidate.spo2)
        )
    flags = vital_flags(rows) if candidate is not None else []
    return render(request, "care/_flags_preview.html", {"preview": flags})


async def sign(request: Request) -> Response:
    data = await form(request)
    version = Form(data).integer("version", "the version", 0, 2**31 - 1, required=False)
    try:
        password, code = str(data.get("password", "")), str(data.get("code", ""))
        await signing.sign(actor(request), _id(request), version, password, code)
    except Invalid as exc:
        view = exc.page
        return _page(request, view.infusion, view.vitals, view.flags, view, exc.errors, status=exc.status)
    return redirect(request, url(request, "care:infusion", infusion_id=_id(request)))


async def versions(request: Request) -> Response:
    infusion, kept = await signing.versions(actor(request), _id(request))
    return render(request, "care/infusion_versions.html", {"infusion": infusion, "versions": kept})


async def strike_vitals(request: Request) -> Response:
    data = await form(request)
    vital_id = Form(data).integer("vital_id", "a reading", 1, 2**31 - 1, required=False)
    try:
        infusion = await signing.strike(actor(request), _id(request), vital_id, str(data.get("reason", "")))
    except Invalid as exc:
        view = exc.page
        return _page(request, view.infusion, view.vitals, view.flags, view, exc.errors, status=exc.status)
    return redirect(request, url(request, "care:infusion", infusion_id=infusion.id) + "#vitals")


routes = [
    route("/patients/{patient_id:int}/infusions/new", new_page, roles=CARE_STAFF, name="infusion_new"),
    route(
        "/patients/{patient_id:int}/infusions/new", create, roles=CARE_STAFF, methods=["POST"], name="infusion_create"
    ),
    route("/infusions/{infusion_id:int}", show, roles=CARE_STAFF, name="infusion"),
    route("/infusions/{infusion_id:int}/edit", edit_page, roles=CARE_STAFF, name="infusion_edit"),
    route("/infusions/{infusion_id:int}/edit", update, roles=CARE_STAFF, methods=["POST"], name="infusion_update"),
    route("/infusions/{infusion_id:int}/vitals", add_vitals, roles=CARE_STAFF, methods=["POST"]),
    route("/infusions/{infusion_id:int}/sign", sign, roles=CARE_STAFF, methods=["POST"]),
    route("/infusions/{infusion_id:int}/versions", versions, roles=CARE_STAFF),
    route("/infusions/{infusion_id:int}/vitals/strike", strike_vitals, roles=CARE_STAFF, methods=["POST"]),
    route("/vitals/preview", preview_flags, roles=CARE_STAFF),
    route("/dose/preview", preview_dose, roles=CARE_STAFF),
]
