"""Infusion records: create, view, edit, and vitals rows added one at a time with htmx."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from care import access, clinical, infusions
from care.clinical import Reading, total_mg, vital_flags
from care.forms import parse_infusion, parse_vitals
from care.models import Agent, Infusion, Phase, RouteOfAdmin
from server.errors import Invalid
from server.forms import Form, local_input
from server.policy import CLINICIANS
from server.web import actor, form, is_htmx, redirect, render, route, url

CHOICES = {
    "phases": [p.value for p in Phase],
    "routes": [r.value for r in RouteOfAdmin],
    "agents": [a.value for a in Agent],
    "adverse": clinical.ADVERSE_EVENTS,
    "spravato_doses": [str(d) for d in clinical.SPRAVATO_DOSES_MG],
}


def _id(request: Request) -> int:
    return int(request.path_params["infusion_id"])


def _values_of(infusion: Infusion, tz: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: getattr(infusion, k)
        for k in (
            "number",
            "phase",
            "route",
            "agent",
            "lot_number",
            "administered_by_id",
            "cadss",
            "moaas",
            "adverse_events",
            "adverse_other",
            "escort_confirmed",
            "dose_mg_per_kg",
            "weight_kg",
        )
    }
    for name in ("scheduled_at", "started_at", "ended_at", "discharge_ready_at"):
        values[name] = local_input(getattr(infusion, name), tz)
    values["spravato_mg"] = (
        str(int(infusion.total_mg)) if infusion.agent == Agent.ESKETAMINE and infusion.total_mg else ""
    )
    values.update({f"rems_{k}": v for k, v in infusion.rems.items()})
    return {k: ("" if v is None else v) for k, v in values.items()}


async def _form_page(
    request: Request,
    patient_id: int,
    values: dict[str, Any],
    errors: dict[str, str],
    infusion: Infusion | None = None,
    status: int = 200,
) -> Response:
    who = actor(request)
    patient = await access.get_patient_for(who, patient_id, write=True)
    ctx = {
        "patient": patient,
        "values": values,
        "errors": errors,
        "infusion": infusion,
        "staff": await infusions.staff_choices(who),
        "total": _total(values),
        **CHOICES,
    }
    return render(request, "care/infusion_form.html", ctx, status=status)


async def new_page(request: Request) -> Response:
    who = actor(request)
    patient_id = int(request.path_params["patient_id"])
    patient = await access.get_patient_for(who, patient_id, write=True)
    try:
        course = await infusions.open_course(who, patient)
    except Invalid as exc:
        return await _form_page(request, patient_id, {}, exc.errors, status=409)
    values = {
        "number": await infusions.next_number(course),
        "phase": "dosing",
        "route": "iv",
        "agent": "racemic_ketamine",
        "dose_mg_per_kg": "0.5",
        "weight_kg": patient.weight_kg,
        "administered_by_id": who.user_id,
        "adverse_events": [],
    }
    return await _form_page(request, patient_id, values, {})


async def create(request: Request) -> Response:
    who = actor(request)
    patient_id = int(request.path_params["patient_id"])
    data, f = parse_infusion(await form(request), who.tz, who.now, who.today)
    try:
        if data is None:
            raise Invalid(f.errors)
        infusion = await infusions.create_infusion(who, patient_id, data)
    except Invalid as exc:
        return await _form_page(request, patient_id, f.values, exc.errors, status=400)
    return redirect(request, url(request, "care:infusion", infusion_id=infusion.id))


async def show(request: Request) -> Response:
    who = actor(request)
    view = await infusions.view_infusion(who, _id(request), who.today)
    return render(
        request,
        "care/infusion.html",
        {
            "view": view,
            "infusion": view.infusion,
            "vitals": view.vitals,
            "flags": view.flags,
            "values": {},
            "errors": {},
        },
    )


async def edit_page(request: Request) -> Response:
    who = actor(request)
    infusion = await access.get_infusion_for(who, _id(request), write=True)
    return await _form_page(request, infusion.patient_id, _values_of(infusion, who.tz), {}, infusion)


async def update(request: Request) -> Response:
    who = actor(request)
    infusion = await access.get_infusion_for(who, _id(request), write=True)
    data, f = parse_infusion(await form(request), who.tz, who.now, who.today)
    try:
        if data is None:
            raise Invalid(f.errors)
        await infusions.update_infusion(who, infusion.id, data)
    except Invalid as exc:
        return await _form_page(request, infusion.patient_id, f.values, exc.errors, infusion, status=400)
    return redirect(request, url(request, "care:infusion", infusion_id=infusion.id))


async def add_vitals(request: Request) -> Response:
    """Add one row. htmx swaps the vitals block in place; without JavaScript the page reloads."""
    who = actor(request)
    reading, f = parse_vitals(await form(request))
    if reading is None:
        infusion = await access.get_infusion_for(who, _id(request), write=True)
        view = await infusions.view_infusion(who, infusion.id, who.today)
        ctx = {
            "view": view,
            "infusion": view.infusion,
            "vitals": view.vitals,
            "flags": view.flags,
            "values": f.values,
            "errors": f.errors,
        }
        return render(request, "care/infusion.html", ctx, status=400, block="vitals" if is_htmx(request) else None)
    vitals, flags = await infusions.add_vitals(who, _id(request), reading)
    if not is_htmx(request):
        return redirect(request, url(request, "care:infusion", infusion_id=_id(request)) + "#vitals")
    infusion = await access.get_infusion_for(who, _id(request))
    ctx = {"infusion": infusion, "vitals": vitals, "flags": flags, "values": {}, "errors": {}, "view": None}
    return render(request, "care/infusion.html", ctx, block="vitals")


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


routes = [
    route("/patients/{patient_id:int}/infusions/new", new_page, roles=CLINICIANS, name="infusion_new"),
    route(
        "/patients/{patient_id:int}/infusions/new", create, roles=CLINICIANS, methods=["POST"], name="infusion_create"
    ),
    route("/infusions/{infusion_id:int}", show, roles=CLINICIANS, name="infusion"),
    route("/infusions/{infusion_id:int}/edit", edit_page, roles=CLINICIANS, name="infusion_edit"),
    route("/infusions/{infusion_id:int}/edit", update, roles=CLINICIANS, methods=["POST"], name="infusion_update"),
    route("/infusions/{infusion_id:int}/vitals", add_vitals, roles=CLINICIANS, methods=["POST"]),
    route("/vitals/preview", preview_flags, roles=CLINICIANS),
    route("/dose/preview", preview_dose, roles=CLINICIANS),
]
