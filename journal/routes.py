"""The patient's journal: home with due prompts, the editor with autosave, entries, sharing, history, export."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from care.models import Infusion
from journal import alerts, exports, pages, practices, safety, service, timeline
from journal.forms import SCALES, parse_draft
from journal.models import JournalEntry, Kind
from journal.prompts import questions
from server.errors import Invalid
from server.forms import Form
from server.policy import PATIENT
from server.web import actor, form, is_htmx, redirect, render, route, url


def _id(request: Request) -> int:
    return int(request.path_params["entry_id"])


async def home(request: Request) -> Response:
    f = Form(request.query_params)
    query = f.text("q", "a search", max_len=100)
    cursor = f.integer("before", "a page", 1, 2**31 - 1, required=False)
    more = is_htmx(request) and bool(cursor)
    page = await pages.home(actor(request), query, cursor, entries_only=more)
    if more:
        return render(request, "journal/home.html", {"listing": page.listing, "days": page.days}, block="entries")
    return render(request, "journal/home.html", vars(page))


def _editor(
    request: Request,
    values: dict,
    errors: dict,
    *,
    entry: JournalEntry | None = None,
    status: int = 200,
    infusion: Infusion | None = None,
) -> Response:
    """The editor: new or existing, first shown or after a refused save, headed by its session."""
    ctx = {
        "values": values,
        "errors": errors,
        "entry": entry,
        "guided": questions(values.get("kind") or Kind.FREE, values.get("prompt_text", "")),
        "help": safety.resources(actor(request).clinic),
        "scales": SCALES,
        "infusion": infusion,
    }
    return render(request, "journal/editor.html", ctx, status=status)


async def new_page(request: Request) -> Response:
    f = Form(request.query_params)
    infusion_id = f.integer("infusion", "a session", 1, 2**31 - 1, required=False)
    kind = f.choice("kind", "a kind", [k.value for k in Kind], required=False)
    page = await pages.new_entry(actor(request), infusion_id, kind, request.query_params.get("prompt", ""))
    if page.existing:  # this prompt or session already has an entry: continue it rather than start a second
        return redirect(request, url(request, "journal:edit_page", entry_id=page.existing))
    return _editor(request, page.values, {}, infusion=page.infusion)


CONFLICT = "This entry changed in another window. Your text is below, unsaved: copy it, then reload."


async def _save(request: Request, entry_id: int | None) -> Response:
    draft, f = parse_draft(await form(request))
    session = str(f.values.get("infusion_id", ""))
    session_id = int(session) if session.isdigit() and len(session) < 10 else None
    try:
        saved = await service.save(
            actor(request), draft, entry_id, f.errors, session_id, f.values.get("prompt_ref", "")
        )
    except Invalid as exc:
        return _refused(request, f.values, exc.errors, exc.page, 400)
    if saved.conflict:
        return _refused(request, f.values, {"form": CONFLICT}, service.Editing(saved.entry, saved.infusion), 409)
    return _saved(request, saved)


def _refused(request: Request, values: dict, errors: dict, page: service.Editing, status: int) -> Response:
    """A refused save: for autosave, the status line; otherwise the editor again with the words as typed."""
    if is_htmx(request):
        status_line = {"conflict": True} if status == 409 else {"problem": next(iter(errors.values()))}
        return render(request, "journal/_save_status.html", status_line, status=status)
    values = {**values, **pages.heading(page.entry, page.prompt)}
    return _editor(request, values, errors, entry=page.entry, status=status, infusion=page.infusion)


def _saved(request: Request, saved: service.Saved) -> Response:
    if not is_htmx(request):
        return redirect(request, url(request, "journal:show", entry_id=saved.entry.id))
    who = actor(request)
    time = who.now.astimezone(ZoneInfo(who.tz)).strftime("%H:%M")
    ctx = {
        "saved_at": time,
        "version": saved.entry.version,
        "crisis": saved.crisis,
        "entry": saved.entry,
        "help": safety.resources(who.clinic),
    }
    response = render(request, "journal/_save_status.html", ctx)
    if saved.created:
        response.headers["HX-Replace-Url"] = url(request, "journal:edit_page", entry_id=saved.entry.id)
    return response


async def create(request: Request) -> Response:
    return await _save(request, None)


async def save_draft(request: Request) -> Response:
    return await _save(request, _id(request))


async def show(request: Request) -> Response:
    entry, extra = await pages.entry_page(actor(request), _id(request))
    crisis = entry.crisis_language or entry.alerted_at is not None
    help = safety.resources(actor(request).clinic)
    ctx = {"entry": entry, "title": timeline.title_of(entry), "crisis": crisis, "help": help, "panels": extra}
    return render(request, "journal/entry.html", ctx)


async def edit_page(request: Request) -> Response:
    entry = await service.read(actor(request), _id(request))
    return _editor(request, pages.editor_values(entry), {}, entry=entry, infusion=entry.infusion)


async def share(request: Request) -> Response:
    data = await form(request)
    entry = await service.set_shared(actor(request), _id(request), data.get("shared") == "on")
    if is_htmx(request):
        return render(request, "journal/_share_control.html", {"entry": entry})
    return redirect(request, url(request, "journal:show", entry_id=entry.id))


async def tell(request: Request) -> Response:
    """'Let my care team know' under the crisis panel: one alert, however often it is pressed."""
    entry = await alerts.tell_care_team(actor(request), _id(request))
    if is_htmx(request):
        return render(
            request, "journal/_crisis.html", {"entry": entry, "help": safety.resources(actor(request).clinic)}
        )
    return redirect(request, url(request, "journal:show", entry_id=entry.id) + "#crisis")


async def practice_done(request: Request) -> Response:
    done = (await form(request)).get("done") == "on"
    practice = await practices.mark_done(actor(request), int(request.path_params["prompt_id"]), done)
    if is_htmx(request):
        return render(request, "journal/_practice.html", {"p": practice})
    return redirect(request, url(request, "journal:home") + "#practices")


async def history(request: Request) -> Response:
    entry, revisions = await service.history(actor(request), _id(request))
    return render(request, "journal/history.html", {"entry": entry, "revisions": revisions})


async def preferences(request: Request) -> Response:
    data = await form(request)
    await service.set_preference(actor(request), data.get("share_by_default") == "on")
    return redirect(request, url(request, "journal:home") + "#settings")


async def export_md(request: Request) -> Response:
    text = exports.markdown(await service.export(actor(request), "md"), actor(request).tz)
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="journal.md"'},
    )


async def export_json(request: Request) -> Response:
    body = exports.as_json(await service.export(actor(request), "json"), actor(request).now)
    return Response(
        body, media_type="application/json", headers={"Content-Disposition": 'attachment; filename="journal.json"'}
    )


async def print_page(request: Request) -> Response:
    """The whole journal on one page, to read or print (a print stylesheet leaves out navigation and buttons)."""
    data = await service.export(actor(request), "print")
    return render(
        request, "journal/print.html", {"data": data, "titles": {e.id: timeline.title_of(e) for e in data.entries}}
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
    route("/journal/{entry_id:int}/tell", tell, roles=PATIENT, methods=["POST"]),
    route("/journal/practices/{prompt_id:int}/done", practice_done, roles=PATIENT, methods=["POST"]),
    route("/journal/print", print_page, roles=PATIENT),
    route("/me/export.md", export_md, roles=PATIENT),
    route("/me/export.json", export_json, roles=PATIENT),
]
