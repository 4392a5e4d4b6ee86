"""The printable infusion record and patient summary (care/printing.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from care import printing
from server.policy import CARE_STAFF
from server.web import actor, render, route


async def print_infusion(request: Request) -> Response:
    page = await printing.infusion_record(actor(request), int(request.path_params["infusion_id"]))
    return render(request, "care/infusion_print.html", {"p": page})


async def print_summary(request: Request) -> Response:
    page = await printing.patient_summary(actor(request), int(request.path_params["patient_id"]))
    return render(request, "care/summary_print.html", {"p": page})


routes = [
    route("/infusions/{infusion_id:int}/print", print_infusion, roles=CARE_STAFF, name="infusion_print"),
    route("/patients/{patient_id:int}/summary/print", print_summary, roles=CARE_STAFF, name="summary_print"),
]
