"""Integration notes: the editor beside the pre-fill, sign with step-up, addenda, co-sign; process notes."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from notes import dashboard, pages, process
from notes.content import DOMAINS, IDEATION, INTERVENTIONS, KAP_PHASES, NARRATIVE, TEXT_KEYS, kept_sections, text_fields
from notes.forms import parse_note, values_of
from notes.service import Conflict, NoteView, Saved
from server.errors import Invalid
from server.policy import CLINICIANS, SUPERVISOR, THERAPIST
from server.web import actor, form, form_key, is_htmx, redirect, render, route, url

CHOICES = {
    "domains": DOMAINS,
    "interventions": INTERVENTIONS,
    "ideation": IDEATION,
    "phases": KAP_PHASES,
    "formats": list(NARRATIVE),
}


def _id(request: Request, name: str = "note_id") -> int:
    return int(request.path_params[name])


def _editor(
    request: Request, page: pages.Editor, values: dict, errors: dict, status: int = 200
) -> Response:
    """The note editor beside its pre-fill: new or existing, first shown or refused."""
    note, infusion_id, fmt = page.note, page.pre.infusion.id, values.get("format") or "DAP"
    ctx = {
        "pre": page.pre,
        "values": values,
        "errors": errors,
        "note": note,
        "sections": text_fields(fmt),
        "kept": kept_sections(fmt, {key: values.get(f"s_{key}") for key in TEXT_KEYS}),
        "draft_url": (
            url(request, "notes:save_draft", note_id=note.id)
            if note
            else url(request, "notes:create", infusion_id=infusion_id)
        ),
        **CHOICES,
    }
    return render(request, "notes/editor.html", ctx, status=status)


def _note(request: Request, view: NoteView, errors: dict, status: int = 200, addendum: str = "") -> Response:
    """A note as read (signed, or someone else's), with a refused action's messages."""
    note = view.note
    ctx = {"view": view, "note": note, "errors": errors, "addendum": addendum, "sections": text_fields(note.format)}
    ctx["kept"] = kept_sections(note.format, note.content)
    return render(request, "notes/note.html", ctx, status=status)


def _page(request: Request, page: pages.OpenNote, errors: dict, status: int = 200, addendum: str = "") -> Response:
    """A note's page: the editor for its author while it is a draft, the read view otherwise."""
    if page.editor:
        return _editor(request, page.editor, values_of(page.view.note), errors, status)
    return _note(request, page.view, errors, status, addendum)


async def new_page(request: Request) -> Response:
    copy = request.query_params.get("copy") == "previous"
    page, values = await pages.new_note(actor(request), _id(request, "infusion_id"), copy)
    return _editor(request, page, values, {})


async def _save(request: Request, infusion_id: int | None, note_id: int | None) -> Response:
    draft, f = parse_note(await form(request))
    autosave = is_htmx(request)
    try:
        saved, page = await pages.save(actor(request), infusion_id, note_id, draft, f.errors, with_page=not autosave)
    except Invalid as exc:
        if autosave:
            problem = next(iter(exc.errors.values()))
            return render(request, "notes/_save_status.html", {"problem": problem}, status=400)
        return _editor(request, exc.page, f.values, exc.errors, status=exc.status)
    if saved.conflict:
        if page is None:
            return render(request, "notes/_save_status.html", {"conflict": True}, status=409)
        return _editor(request, page, f.values, {"form": CONFLICT}, status=409)
    return _saved(request, saved)


CONFLICT = "This note changed in another window, or was signed. Your text is below, unsaved."


def _saved(request: Request, saved: Saved) -> Response:
    if not is_htmx(request):
        return redirect(request, url(request, "notes:show", note_id=saved.note.id))
    who = actor(request)
    time = who.now.astimezone(ZoneInfo(who.tz)).strftime("%H:%M")
    ctx = {"saved_at": time, "version": saved.note.version, "note": saved.note, "created": saved.created}
    response = render(request, "notes/_save_status.html", ctx)
    if saved.created:
        response.headers["HX-Replace-Url"] = url(request, "notes:show", note_id=saved.note.id)
    return response


async def create(request: Request) -> Response:
    return await _save(request, _id(request, "infusion_id"), None)


async def show(request: Request) -> Response:
    return _page(request, await pages.open_note(actor(request), _id(request)), {})


async def save_draft(request: Request) -> Response:
    return await _save(request, None, _id(request))


SIGN_CONFLICT = "This note changed in another window or was already signed. Nothing was signed."
ACTED_FIRST = "Someone else acted on this note first. Nothing was changed."


async def sign(request: Request) -> Response:
    data = await form(request)
    version, password, code = (str(data.get(k, "")) for k in ("version", "password", "code"))
    try:
        await pages.sign(actor(request), _id(request), int(version) if version.isdigit() else -1, password, code)
    except Invalid as exc:
        return _page(request, exc.page, exc.errors, status=exc.status)
    except Conflict as exc:
        return _page(request, exc.page, {"form": SIGN_CONFLICT}, status=409)
    return redirect(request, url(request, "notes:show", note_id=_id(request)))


async def add_addendum(request: Request) -> Response:
    data = await form(request)
    body = str(data.get("body", ""))
    try:
        await pages.add_addendum(actor(request), _id(request), form_key(data), body)
    except Invalid as exc:
        return _page(request, exc.page, exc.errors, status=exc.status, addendum=body)
    return redirect(request, url(request, "notes:show", note_id=_id(request)) + "#addenda")


async def cosign(request: Request) -> Response:
    data = await form(request)
    version, password, code = (str(data.get(k, "")) for k in ("version", "password", "code"))
    try:
        await pages.cosign(actor(request), _id(request), int(version) if version.isdigit() else -1, password, code)
    except Invalid as exc:
        return _page(request, exc.page, exc.errors, status=exc.status)
    except Conflict as exc:
        return _page(request, exc.page, {"form": ACTED_FIRST}, status=409)
    return redirect(request, url(request, "notes:show", note_id=_id(request)))


async def return_note(request: Request) -> Response:
    comment = str((await form(request)).get("comment", ""))
    try:
        await pages.return_note(actor(request), _id(request), comment)
    except Invalid as exc:
        return _page(request, exc.page, exc.errors, status=exc.status)
    except Conflict as exc:
        return _page(request, exc.page, {"form": ACTED_FIRST}, status=409)
    return redirect(request, url(request, "notes:show", note_id=_id(request)))


async def seen(request: Request) -> Response:
    await dashboard.mark_shared_seen(actor(request))
    return redirect(request, url(request, "care:caseload"))


async def process_list(request: Request) -> Response:
    return _process_list(request, await process.listing(actor(request), _id(request, "patient_id")))


def _process_list(
    request: Request, page: tuple, errors: dict | None = None, body: str = "", status: int = 200
) -> Response:
    patient, notes = page
    ctx = {"patient": patient, "notes": notes, "errors": errors or {}, "body": body}
    return render(request, "notes/process_list.html", ctx, status=status)


async def process_create(request: Request) -> Response:
    data = await form(request)
    body = str(data.get("body", ""))
    try:
        note = await process.create(actor(request), _id(request, "patient_id"), form_key(data), body)
    except Invalid as exc:
        return _process_list(request, exc.page, exc.errors, body, status=exc.status)
    return redirect(request, url(request, "notes:process_gate", note_id=note.id))


async def process_gate(request: Request) -> Response:
    note = await process.get(actor(request), _id(request))
    return render(request, "notes/process_note.html", {"note": note, "opened": False, "errors": {}})


async def process_open(request: Request) -> Response:
    data = await form(request)
    password, code = str(data.get("password", "")), str(data.get("code", ""))
    try:
        note = await process.open_note(actor(request), _id(request), password, code)
    except Invalid as exc:
        ctx = {"note": exc.page, "opened": False, "errors": exc.errors}
        return render(request, "notes/process_note.html", ctx, status=400)
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
