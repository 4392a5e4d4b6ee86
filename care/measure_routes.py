"""PHQ-9 / GAD-7 self-report, paper entry and C-SSRS by staff, results, and the patient's own progress."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from care import clinical, measures
from care.chart import geometry
from care.forms import parse_answers, parse_cssrs
from care.models import Instrument
from care.progress import summary
from server.errors import Invalid, NotFound
from server.forms import Form
from server.policy import CARE_STAFF, PATIENT
from server.web import actor, form, form_key, redirect, render, route, url

INSTRUMENTS = {
    "phq9": (Instrument.PHQ9, "PHQ-9", clinical.PHQ9_ITEMS),
    "gad7": (Instrument.GAD7, "GAD-7", clinical.GAD7_ITEMS),
}


def _instrument(slug: str) -> tuple[Instrument, str, tuple[str, ...]]:
    if slug.lower() not in INSTRUMENTS:
        raise NotFound("instrument")
    return INSTRUMENTS[slug.lower()]


def _ctx(slug: str, values: dict[str, object], errors: dict[str, str], **extra: object) -> dict[str, object]:
    _, title, items = _instrument(slug)
    return {
        "slug": slug.lower(),
        "title": title,
        "items": items,
        "labels": clinical.ANSWER_LABELS,
        "stem": clinical.STEM,
        "values": values,
        "errors": errors,
        **extra,
    }


def _patient_id(request: Request) -> int:
    return int(request.path_params["patient_id"])


async def self_report_page(request: Request) -> Response:
    await measures.self_report_form(actor(request))
    return render(request, "care/measure_form.html", _ctx(request.path_params["slug"], {}, {}, patient=None))


async def self_report(request: Request) -> Response:
    slug = request.path_params["slug"]
    instrument, _, items = _instrument(slug)
    data = await form(request)
    answers, f = parse_answers(data, len(items))
    if answers is None:
        return render(request, "care/measure_form.html", _ctx(slug, f.values, f.errors, patient=None), status=400)
    measure = await measures.submit_self_report(actor(request), form_key(data), instrument, answers)
    return redirect(request, url(request, "care:measure", measure_id=measure.id))


async def result(request: Request) -> Response:
    measure = await measures.view_measure(actor(request), int(request.path_params["measure_id"]))
    return render(request, "care/measure_result.html", {"measure": measure})


async def paper_page(request: Request) -> Response:
    who, slug = actor(request), request.query_params.get("instrument", "phq9")
    patient = await measures.staff_form(who, _patient_id(request), _instrument(slug)[0])
    ctx = _ctx(slug, {"taken_on": who.today.isoformat()}, {}, patient=patient)
    return render(request, "care/measure_form.html", ctx)


async def paper(request: Request) -> Response:
    who = actor(request)
    data = await form(request)
    slug = str(data.get("instrument", ""))
    instrument, _, items = _instrument(slug)
    answers, f = parse_answers(data, len(items))
    taken_at = _taken_at(data, who.today, f)
    try:
        key = form_key(data)
        await measures.enter_on_paper(who, _patient_id(request), key, instrument, answers, taken_at, f.errors)
    except Invalid as exc:
        ctx = _ctx(slug, f.values, exc.errors, patient=exc.page)
        return render(request, "care/measure_form.html", ctx, status=exc.status)
    return redirect(request, url(request, "care:chart", patient_id=_patient_id(request)) + "#progress")


def _taken_at(data: Mapping[str, Any], today: date, f: Form) -> datetime | None:
    """Noon UTC of the day a paper questionnaire was taken (not in the future); a message on `f` otherwise."""
    taken_on = Form(data).date("taken_on", "the date it was taken", latest=today)
    f.values["taken_on"] = str(data.get("taken_on", ""))
    if taken_on is None:
        f.errors["taken_on"] = "Enter the date it was taken (not in the future)."
        return None
    return datetime.combine(taken_on, datetime.min.time(), UTC) + timedelta(hours=12)


def _cssrs_ctx(patient: object, values: dict[str, object], errors: dict[str, str]) -> dict[str, object]:
    return {"patient": patient, "questions": clinical.CSSRS_QUESTIONS, "values": values, "errors": errors}


async def cssrs_page(request: Request) -> Response:
    patient = await measures.staff_form(actor(request), _patient_id(request), Instrument.CSSRS)
    return render(request, "care/cssrs_form.html", _cssrs_ctx(patient, {}, {}))


async def cssrs(request: Request) -> Response:
    data = await form(request)
    answers, f = parse_cssrs(data)
    result = clinical.cssrs(answers) if answers is not None else None
    try:
        measure = await measures.record_cssrs(actor(request), _patient_id(request), form_key(data), result, f.errors)
    except Invalid as exc:
        return render(request, "care/cssrs_form.html", _cssrs_ctx(exc.page, f.values, exc.errors), status=exc.status)
    return redirect(request, url(request, "care:measure", measure_id=measure.id))


async def my_progress(request: Request) -> Response:
    who = actor(request)
    try:
        mine = await measures.my_progress(who)
    except NotFound:
        raise Invalid({"form": "Your care team hasn't set up your record yet."}) from None
    progress = mine.progress
    ctx = {
        "progress": progress,
        "panels": mine.panels,
        "summary": summary(progress),
        "geometry": geometry(progress, who.tz),
    }
    return render(request, "care/progress.html", ctx)


routes = [
    route("/measures/{slug:str}/new", self_report_page, roles=PATIENT),
    route("/measures/{slug:str}/new", self_report, roles=PATIENT, methods=["POST"]),
    route("/measures/{measure_id:int}", result, roles=PATIENT | CARE_STAFF, name="measure"),
    route("/patients/{patient_id:int}/measures/new", paper_page, roles=CARE_STAFF),
    route("/patients/{patient_id:int}/measures/new", paper, roles=CARE_STAFF, methods=["POST"]),
    route("/patients/{patient_id:int}/cssrs/new", cssrs_page, roles=CARE_STAFF),
    route("/patients/{patient_id:int}/cssrs/new", cssrs, roles=CARE_STAFF, methods=["POST"]),
    route("/me/progress", my_progress, roles=PATIENT),
]
