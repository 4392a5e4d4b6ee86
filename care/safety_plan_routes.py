"""The safety plan: the therapist's form on the chart side, the patient's page at /me/safety-plan."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from care import safety_plan
from server.errors import Invalid
from server.forms import Form
from server.policy import CLINICIANS, PATIENT
from server.web import actor, form, form_key, redirect, render, route, url


def _staff(request: Request, page: safety_plan.PlanPage, **ctx: Any) -> Response:
    status = ctx.pop("status", 200)
    base = {"sp": page, "steps": safety_plan.STEPS, "errors": {}, "values": {}, "done": ""}
    return render(request, "care/safety_plan.html", base | ctx, status=status)


async def staff_page(request: Request) -> Response:
    page = await safety_plan.staff_page(actor(request), int(request.path_params["patient_id"]))
    return _staff(request, page, done=request.query_params.get("done", "")[:10])


async def save(request: Request) -> Response:
    raw = await form(request)
    columns, f = safety_plan.parse(raw)
    version = Form(raw).integer("version", "the version", 0, 2**31 - 1, required=False)
    patient_id = int(request.path_params["patient_id"])
    try:
        await safety_plan.save(actor(request), patient_id, version, columns, f.errors)
    except Invalid as exc:
        return _staff(request, exc.page, errors=exc.errors, values=f.values, status=exc.status)
    return redirect(request, url(request, "care:safety_plan", patient_id=patient_id) + "?done=saved")


async def print_page(request: Request) -> Response:
    page = await safety_plan.print_page(actor(request), int(request.path_params["patient_id"]))
    ctx = {"sp": page, "steps": safety_plan.STEPS, "printed_at": actor(request).now}
    return render(request, "care/safety_plan_print.html", ctx)


def _mine(request: Request, page: safety_plan.PlanPage, **ctx: Any) -> Response:
    status = ctx.pop("status", 200)
    base = {
        "sp": page,
        "steps": safety_plan.STEPS,
        "errors": {},
        "step": "",
        "done": "",
        "printed_at": actor(request).now,
    }
    return render(request, "care/my_safety_plan.html", base | ctx, status=status)


async def my_page(request: Request) -> Response:
    page = await safety_plan.my_page(actor(request))
    return _mine(request, page, done=request.query_params.get("done", "")[:10])


async def add_step(request: Request) -> Response:
    raw = await form(request)
    text = str(raw.get("step", ""))
    try:
        await safety_plan.add_step(actor(request), form_key(raw), text)
    except Invalid as exc:
        return _mine(request, exc.page, errors=exc.errors, step=text, status=exc.status)
    return redirect(request, url(request, "care:my_safety_plan") + "?done=added#coping")


routes = [
    route("/patients/{patient_id:int}/safety-plan", staff_page, roles=CLINICIANS, name="safety_plan"),
    route("/patients/{patient_id:int}/safety-plan", save, roles=CLINICIANS, methods=["POST"], name="safety_plan_save"),
    route("/patients/{patient_id:int}/safety-plan/print", print_page, roles=CLINICIANS, name="safety_plan_print"),
    route("/me/safety-plan", my_page, roles=PATIENT, name="my_safety_plan"),
    route("/me/safety-plan/steps", add_step, roles=PATIENT, methods=["POST"], name="safety_step_add"),
]
