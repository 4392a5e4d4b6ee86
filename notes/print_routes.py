"""The printable signed note (notes/printing.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from notes import printing
from server.policy import CLINICIANS
from server.web import actor, render, route


async def print_note(request: Request) -> Response:
    page = await printing.print_note(actor(request), int(request.path_params["note_id"]))
    return render(request, "notes/print.html", {"p": page})


routes = [route("/notes/{note_id:int}/print", print_note, roles=CLINICIANS, name="print_note")]
