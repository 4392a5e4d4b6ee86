"""Integration notes: the editor beside the pre-fill, sign with step-up, addenda, co-sign; process notes."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from notes import dashboard, process, service
from notes.content import DOMAINS, IDEATION, INTERVENTIONS, KAP_PHASES, NARRATIVE, text_fields
from notes.forms import parse_note, values_of
from notes.models import IntegrationNote
from notes.service import Conflict
from server.errors import Invalid
from server.policy import CLINICIANS, SUPERVISOR, THERAPIST
from server.web import actor, form, is_htmx, redirect, render, route, url

CHOICES = {
    "domains": DOMAINS,
    "interventions": INTERVENTIONS,
    "ideation": IDEATION,
    "phases": KAP_PHASES,
    "formats": list(NARRATIVE),
}


def _id(request: Request, name: str = "note_id") -> int:
    return int(request.path_params[name])


async def _editor(
    request: Request,
    infusion_id: int,
    values: dict,
    errors: dict,
    *,
    note: IntegrationNote | None = None,
    status: int = 200,
) -> Response:
    pre = await service.prefill(actor(request), infusion_id)
    fmt = values.get("format") or "DAP"
    ctx = {
        "pre": pre,
        "values": values,
        "errors": errors,
        "note": note,
        "sections": text_fields(fmt),
        "draft_url": (
            url(request, "notes:save_draft", note_id=note.id)
            if note
            else url(request, "notes:create", infusion_id=infusion_id)
        ),
        **CHOICES,
    }
    return render(request, "notes/editor.html", ctx, status=status)


async def new_page(request: Request) -> Response:
    infusion_id = _id(request, "infusion_id")
    values: dict = {"format": "DAP", "kap_phase": "integration", "version": 0, "draft_key": secrets.token_urlsafe(24)}
    if request.query_params.get("copy") == "previous":
        pre = await service.prefill(actor(request), infusion_id)
        if pre.previous:
            values["s_plan"] = pre.previous.content.get("plan", "")
            values["practices"] = "\n".join(pre.previous.content.get("practices", []))
    return await _editor(request, infusion_id, values, {})


async def _save(request: Request, infusion_id: int, note_id: int | None) -> Response:
    who = actor(request)
    draft, f = parse_note(await form(request))
    autosave = is_htmx(request)
    try:
        if draft is None:
            raise Invalid(f.errors)
        saved = await service.save(who, infusion_id, draft, note_id)
    except Invalid as exc:
        if autosave:
            return render(
                request, "journal/_save_status.html", {"problem": next(iter(exc.errors.values()))}, status=400
            )
        return await _editor(request, infusion_id, f.values, exc.errors, status=400)
    if saved.conflict:
        if autosave:
            return render(request, "journal/_save_status.html", {"conflict": True}, status=409)
        note = "This note changed in another window, or was signed. Your text is below, unsaved."
        return await _editor(request, infusion_id, f.values, {"form": note}, note=saved.note, status=409)
    if not autosave:
        return redirect(request, url(request, "notes:show", note_id=saved.note.id))
    time = who.now.astimezone(ZoneInfo(who.tz)).strftime("%H:%M")
    response = render(
        request,
        "notes/_save_status.html",
        {"saved_at": time, "version": saved.note.version, "crisis": [], "note": saved.note, "created": saved.created},
    )
    if saved.created:
        response.headers["HX-Replace-Url"] = url(request, "notes:show", note_id=saved.note.id)
    return response


async def create(request: Request) -> Response:
    return await _save(request, _id(request, "infusion_id"), None)


async def show(request: Request) -> Response:
    view = await service.read(actor(request), _id(request))
    if view.may_write:
        return await _editor(request, view.note.infusion_id, values_of(view.note), {}, note=view.note)
    return render(request, "notes/note.html", {"view": view, "note": view.note, "errors": {}})


async def save_draft(request: Request) -> Response:
    note = await service.read(actor(request), _id(request))
    return await _save(request, note.note.infusion_id, note.note.id)


async def sign(request: Request) -> Response:
    who = actor(request)
    data = await form(request)
    version = str(data.get("version", ""))
    try:
        await service.sign(who, _id(request), int(version) if version.isdigit() else -1, str(data.get("password", "")))
    except Invalid as exc:
        view = await service.read(who, _id(request))
        return await _editor(
            request, view.note.infusion_id, values_of(view.note), exc.errors, note=view.note, status=400
        )
    except Conflict:
        view = await service.read(who, _id(request))
        message = "This note changed in another window or was already signed. Nothing was signed."
        if view.may_write:  # still a draft: back to the editor with the latest text
            return await _editor(
                request, view.note.infusion_id, values_of(view.note), {"form": message}, note=view.note, status=409
            )
        return render(
            request, "notes/note.html", {"view": view, "note": view.note, "errors": {"form": message}}, status=409
        )
    return redirect(request, url(request, "notes:show", note_id=_id(request)))


async def add_addendum(request: Request) -> Response:
    who = actor(request)
    body = str((await form(request)).get("body", ""))
    try:
        await service.add_addendum(who, _id(request), body)
    except Invalid as exc:
        view = await service.read(who, _id(request))
        return render(
            request,
            "notes/note.html",
            {"view": view, "note": view.note, "errors": exc.errors, "addendum": body},
            status=400,
        )
    return redirect(request, url(request, "notes:show", note_id=_id(request)) + "#addenda")


async def cosign(request: Request) -> Response:
    try:
        await service.cosign(actor(request), _id(request))
    except Conflict:
        return await _conflict(request)
    return redirect(request, url(request, "notes:show", note_id=_id(request)))


async def return_note(request: Request) -> Response:
    who = actor(request)
    comment = str((await form(request)).get("comment", ""))
    try:
        await service.return_note(who, _id(request), comment)
    except Invalid as exc:
        view = await service.read(who, _id(request))
        return render(request, "notes/note.html", {"view": view, "note": view.note, "errors": exc.errors}, status=400)
    except Conflict:
        return await _conflict(request)
    return redirect(request, url(request, "notes:show", note_id=_id(request)))


async def _conflict(request: Request) -> Response:
    view = await service.read(actor(request), _id(request))
    errors = {"form": "Someone else acted on this note first. Nothing was changed."}
    return render(request, "notes/note.html", {"view": view, "note": view.note, "errors": errors}, status=409)


async def seen(request: Request) -> Response:
    await dashboard.mark_shared_seen(actor(request))
    return redirect(request, url(request, "care:caseload"))


async def process_list(request: Request, errors: dict | None = None, body: str = "", status: int = 200) -> Response:
    patient, notes = await process.listing(actor(request), _id(request, "patient_id"))
    ctx = {"patient": patient, "notes": notes, "errors": errors or {}, "body": body}
    return render(request, "notes/process_list.html", ctx, status=status)


async def process_create(request: Request) -> Response:
    body = str((await form(request)).get("body", ""))
    try:
        note = await process.create(actor(request), _id(request, "patient_id"), body)
    except Invalid as exc:
        return await process_list(request, exc.errors, body, status=400)
    return redirect(request, url(request, "notes:process_gate", note_id=note.id))


async def process_gate(request: Request) -> Response:
    note = await process.get(actor(request), _id(request))
    return render(request, "notes/process_note.html", {"note": note, "opened": False, "errors": {}})


async def process_open(request: Request) -> Response:
    password = str((await form(request)).get("password", ""))
    try:
        note = await process.open_note(actor(request), _id(request), password)
    except Invalid as exc:
        note = await process.get(actor(request), _id(request))
        return render(
            request, "notes/process_note.html", {"note": note, "opened": False, "errors": exc.errors}, status=400
        )
    return render(request, "notes/process_note.html", {"note": note, "opened": True, "errors": {}})


routes = [
    route("/infusions/{infusion_id:int}/notes/new", new_page, roles=THERAPIST),
    route("/infusions/{infusion_id:int}/notes/new", create, roles=THERAPIST, methods=["POST"]),
    route("/notes/{note_id:int}", show, roles=CLINICIANS),
    route("/notes/{note_id:int}", save_draft, roles=THERAPIST, methods=["POST"], name="save"),
    route("/notes/{note_id:int}/draft", save_draft, roles=THERAPIST, methods=["POST"]),
    route("/notes/{note_id:int}/sign", sign, roles=THERAPIST, methods=["POST"]),
    route("/notes/{note_id:int}/addenda", add_addendum, roles=CLINICIANS, methods=["POST"]),
    route("/notes/{note_id:int}/cosign", cosign, roles=SUPERVISOR, methods=["POST"]),
    route("/notes/{note_id:int}/return", return_note, roles=SUPERVISOR, methods=["POST"]),
    route("/dashboard/seen", seen, roles=THERAPIST, methods=["POST"]),
    route("/patients/{patient_id:int}/process-notes", process_list, roles=CLINICIANS),
    route("/patients/{patient_id:int}/process-notes", process_create, roles=THERAPIST, methods=["POST"]),
    route("/process-notes/{note_id:int}", process_gate, roles=CLINICIANS),
    route("/process-notes/{note_id:int}/open", process_open, roles=CLINICIANS, methods=["POST"]),
]
