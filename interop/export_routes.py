"""The clinic export from oversight: the list of exports with the form that starts one, and each file to download."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from interop import exports
from interop.models import ExportStatus
from server.errors import Invalid
from server.policy import SUPERVISOR
from server.web import actor, form, form_key, redirect, render, route, url


def _page(request: Request, jobs: list, errors: dict | None = None, status: int = 200) -> Response:
    running = any(j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for j in jobs)
    ctx = {"jobs": jobs, "errors": errors or {}, "running": running, "statuses": ExportStatus}
    return render(request, "interop/exports.html", ctx, status=status)


async def export_list(request: Request) -> Response:
    return _page(request, await exports.listing(actor(request)))


async def start_export(request: Request) -> Response:
    data = await form(request)
    try:
        await exports.start(actor(request), form_key(data), str(data.get("password", "")))
    except Invalid as exc:
        return _page(request, exc.page or [], exc.errors, status=exc.status)
    return redirect(request, url(request, "interop:export_list"))


async def export_file(request: Request) -> Response:
    name = str(request.path_params["name"])
    path = await exports.download(actor(request), int(request.path_params["job_id"]), name)
    media = "application/json" if name.endswith(".json") else "application/fhir+ndjson"
    return FileResponse(path, media_type=media, filename=name)


routes = [
    route("/oversight/exports", export_list, roles=SUPERVISOR),
    route("/oversight/exports", start_export, methods=["POST"], roles=SUPERVISOR),
    route("/oversight/exports/{job_id:int}/{name:str}", export_file, roles=SUPERVISOR),
]
