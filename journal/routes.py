"""The patient's journal: home with due prompts, the editor with autosave, entries, sharing, history, export."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from care.access import own_patient
from care.clinic_settings import ClinicSettings
from care.models import Infusion
from journal import access, exports, service
from journal import panels as home_panels
from journal.forms import SCALES, parse_draft
from journal.models import JournalEntry, Kind
from journal.prompts import GUIDED, due
from server.errors import Invalid
from server.forms import Form
from server.policy import PATIENT
from server.web import actor, form, is_htmx, redirect, render, route, url


def _id(request: Request) -> int:
    return int(request.path_params["entry_id"])


async def home(request: Request) -> Response:
    who = actor(request)
    f = Form(request.query_params)
    query = f.text("q", "a search", max_len=100)
    cursor = f.integer("before", "a page", 1, 2**31 - 1, required=False)
    patient = await own_patient(who)
    listing = await service.list_entries(who, query, cursor, patient)
    ctx: dict[str, object] = {"listing": listing}
    if is_htmx(request) and cursor:
        return render(request, "journal/home.html", ctx, block="entries")
    clinic = who.clinic
    latest = await Infusion.filter(patient_id=patient.id, started_at__not_isnull=True).order_by("-started_at").first()
    ctx |= {
        "due": await due(patient, who.now, ClinicSettings.of(clinic)),
        "latest": latest,
        "share_default": await service.share_by_default(patient),
        "panels": await home_panels.collect(who, patient),
    }
    return render(request, "journal/home.html", ctx)


def _editor(
    request: Request,
    values: dict,
    errors: dict,
    *,
    entry: JournalEntry | None = None,
    status: int = 200,
    infusion: object = None,
    note: str = "",
) -> Response:
    kind = values.get("kind") or Kind.FREE
    ctx = {
        "values": values,
        "errors": errors,
        "entry": entry,
        "guided": GUIDED.get(kind, ()),
        "scales": SCALES,
        "infusion": infusion,
        "note": note,
        "draft_url": url(request, "journal:save_draft", entry_id=entry.id) if entry else url(request, "journal:create"),
    }
    return render(request, "journal/editor.html", ctx, status=status)


async def _own_session(patient_id: int, infusion_id: object) -> Infusion | None:
    """The patient's own session an entry is about (None for a stranger's id, or none)."""
    return await Infusion.get_or_none(id=infusion_id, patient_id=patient_id) if infusion_id else None


async def new_page(request: Request) -> Response:
    who = actor(request)
    patient = await own_patient(who)
    f = Form(request.query_params)
    infusion_id = f.integer("infusion", "a session", 1, 2**31 - 1, required=False)
    infusion = await _own_session(patient.id, infusion_id)
    kind = f.choice("kind", "a kind", [k.value for k in Kind], required=False)
    kind = kind or (Kind.POST_SESSION if infusion else Kind.FREE)
    values = {
        "kind": kind,
        "infusion_id": infusion.id if infusion else "",
        "version": 0,
        "draft_key": secrets.token_urlsafe(24),
        "prompt_ref": request.query_params.get("prompt", "")[:40],
        "shared": await service.share_by_default(patient),
    }
    return _editor(request, values, {}, infusion=infusion)


async def _refused(request: Request, values: dict, errors: dict, entry: JournalEntry | None, status: int) -> Response:
    """The editor again after a refused post: the words as typed, the messages, and still headed by its session."""
    session = str(values.get("infusion_id", ""))
    patient = await own_patient(actor(request))
    infusion = await _own_session(patient.id, int(session) if session.isdigit() and len(session) < 10 else None)
    return _editor(request, values, errors, entry=entry, status=status, infusion=infusion)


async def _save(request: Request, entry_id: int | None) -> Response:
    who = actor(request)
    draft, f = parse_draft(await form(request))
    entry = await access.get_own_entry(who, entry_id) if entry_id else None
    autosave = is_htmx(request)
    try:
        if draft is None:
            raise Invalid(f.errors)
        saved = await service.save(who, draft, entry_id)
    except Invalid as exc:
        if autosave:
            return render(
                request, "journal/_save_status.html", {"problem": next(iter(exc.errors.values()))}, status=400
            )
        return await _refused(request, f.values, exc.errors, entry, 400)
    if saved.conflict:
        if autosave:
            return render(request, "journal/_save_status.html", {"conflict": True}, status=409)
        note = "This entry changed in another window. Your text is below, unsaved: copy it, then reload."
        return await _refused(request, f.values, {"form": note}, entry, 409)
    if not autosave:
        return redirect(request, url(request, "journal:show", entry_id=saved.entry.id))
    time = who.now.astimezone(ZoneInfo(who.tz)).strftime("%H:%M")
    response = render(
        request, "journal/_save_status.html", {"saved_at": time, "version": saved.entry.version, "crisis": saved.crisis}
    )
    if saved.created:
        response.headers["HX-Replace-Url"] = url(request, "journal:edit_page", entry_id=saved.entry.id)
    return response


async def create(request: Request) -> Response:
    return await _save(request, None)


async def save_draft(request: Request) -> Response:
    return await _save(request, _id(request))


async def show(request: Request) -> Response:
    entry = await service.read(actor(request), _id(request))
    return render(request, "journal/entry.html", {"entry": entry, "crisis": entry.crisis_language})


async def edit_page(request: Request) -> Response:
    who = actor(request)
    entry = await service.read(who, _id(request))
    values = {
        "kind": entry.kind,
        "infusion_id": entry.infusion_id or "",
        "version": entry.version,
        "draft_key": entry.draft_key,
        "prompt_ref": entry.prompt_ref,
        "title": entry.title,
        "body": entry.body,
        "shared": entry.shared,
        "crisis": entry.crisis_language,
        **{f"answer_{k}": v for k, v in entry.answers.items()},
        **{name: getattr(entry, name) if getattr(entry, name) is not None else "" for name in SCALES},
    }
    return _editor(request, values, {}, entry=entry, infusion=entry.infusion)


async def share(request: Request) -> Response:
    data = await form(request)
    entry = await service.set_shared(actor(request), _id(request), data.get("shared") == "on")
    if is_htmx(request):
        return render(request, "journal/_share_control.html", {"entry": entry})
    return redirect(request, url(request, "journal:show", entry_id=entry.id))


async def history(request: Request) -> Response:
    entry, revisions = await service.history(actor(request), _id(request))
    return render(request, "journal/history.html", {"entry": entry, "revisions": revisions})


async def preferences(request: Request) -> Response:
    data = await form(request)
    await service.set_preference(actor(request), data.get("share_by_default") == "on")
    return redirect(request, url(request, "journal:home") + "#settings")


async def export_md(request: Request) -> Response:
    patient, entries, revisions = await service.export(actor(request), "md")
    text = exports.markdown(patient, entries, actor(request).tz)
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="journal.md"'},
    )


async def export_json(request: Request) -> Response:
    patient, entries, revisions = await service.export(actor(request), "json")
    body = exports.as_json(patient, entries, revisions, actor(request).now)
    return Response(
        body, media_type="application/json", headers={"Content-Disposition": 'attachment; filename="journal.json"'}
    )


routes = [
    route("/journal", home, roles=PATIENT),
    route("/journal/new", new_page, roles=PATIENT),
    route("/journal/new", create, roles=PATIENT, methods=["POST"]),
    route("/journal/preferences", preferences, roles=PATIENT, methods=["POST"]),
    route("/journal/{entry_id:int}", show, roles=PATIENT),
    route("/journal/{entry_id:int}/edit", edit_page, roles=PATIENT),
    route("/journal/{entry_id:int}/edit", save_draft, roles=PATIENT, methods=["POST"], name="save"),
    route("/journal/{entry_id:int}/draft", save_draft, roles=PATIENT, methods=["POST"]),
    route("/journal/{entry_id:int}/share", share, roles=PATIENT, methods=["POST"]),
    route("/journal/{entry_id:int}/history", history, roles=PATIENT),
    route("/me/export.md", export_md, roles=PATIENT),
    route("/me/export.json", export_json, roles=PATIENT),
]
