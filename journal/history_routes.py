"""An entry's versions (what changed, restore one) and deleting with undo (Recently deleted)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from journal import checkin, trash, versions
from server.policy import PATIENT
from server.web import actor, redirect, render, route, url


def _ids(request: Request) -> tuple[int, int]:
    return int(request.path_params["entry_id"]), int(request.path_params.get("revision_id", 0))


async def history(request: Request) -> Response:
    entry, found = await versions.history(actor(request), _ids(request)[0])
    return render(request, "journal/history.html", {"entry": entry, "versions": found, "checkin": checkin})


async def version(request: Request) -> Response:
    shown = await versions.version(actor(request), *_ids(request))
    return render(request, "journal/version.html", {**vars(shown), "checkin": checkin})


async def restore(request: Request) -> Response:
    entry = await versions.restore(actor(request), *_ids(request))
    return redirect(request, url(request, "journal:show", entry_id=entry.id) + "?restored=1")


async def delete(request: Request) -> Response:
    entry = await trash.delete(actor(request), _ids(request)[0])
    return redirect(request, url(request, "journal:home") + f"?deleted={entry.id}")


async def undelete(request: Request) -> Response:
    entry = await trash.undelete(actor(request), _ids(request)[0])
    return redirect(request, url(request, "journal:show", entry_id=entry.id))


async def deleted(request: Request) -> Response:
    entries = await trash.recently_deleted(actor(request))
    return render(request, "journal/deleted.html", {"entries": entries, "gone_on": trash.gone_on})


routes = [
    route("/journal/deleted", deleted, roles=PATIENT),
    route("/journal/{entry_id:int}/history", history, roles=PATIENT),
    route("/journal/{entry_id:int}/history/{revision_id:int}", version, roles=PATIENT),
    route("/journal/{entry_id:int}/history/{revision_id:int}/restore", restore, roles=PATIENT, methods=["POST"]),
    route("/journal/{entry_id:int}/delete", delete, roles=PATIENT, methods=["POST"]),
    route("/journal/{entry_id:int}/undelete", undelete, roles=PATIENT, methods=["POST"]),
]
