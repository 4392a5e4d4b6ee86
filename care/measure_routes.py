"""PHQ-9 / GAD-7 self-report, paper entry and C-SSRS by staff, results, and the patient's own progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from care import access, clinical, measures
from care.chart import geometry
from care.forms import parse_answers, parse_cssrs
from care.models import Instrument
from server.errors import Invalid, NotFound
from server.forms import Form
from server.policy import CLINICIANS, PATIENT
from server.web import actor, form, redirect, render, route, url

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


async def self_report_page(request: Request) -> Response:
    await access.own_patient(actor(request))
    return render(request, "care/measure_form.html", _ctx(request.path_params["slug"], {}, {}, patient=None))


async def self_report(request: Request) -> Response:
    slug = request.path_params["slug"]
    instrument, _, items = _instrument(slug)
    answers, f = parse_answers(await form(request), len(items))
    if answers is None:
        return render(request, "care/measure_form.html", _ctx(slug, f.values, f.errors, patient=None), status=400)
    measure = await measures.submit_self_report(actor(request), instrument, answers)
    return redirect(request, url(request, "care:measure", measure_id=measure.id))


async def result(request: Request) -> Response:
    measure = await measures.view_measure(actor(request), int(request.path_params["measure_id"]))
    return render(request, "care/measure_result.html", {"measure": measure})


async def paper_page(request: Request) -> Response:
    who = actor(request)
    patient = await access.get_patient_for(who, int(request.path_params["patient_id"]), write=True)
    ctx = _ctx(request.query_params.get("instrument", "phq9"), {"taken_on": who.today.isoformat()}, {}, patient=patient)
    return render(request, "care/measure_form.html", ctx)


async def paper(request: Request) -> Response:
    who = actor(request)
    patient = await access.get_patient_for(who, int(request.path_params["patient_id"]), write=True)
    data = await form(request)
    slug = str(data.get("instrument", ""))
    instrument, _, items = _instrument(slug)
    answers, f = parse_answers(data, len(items))
    taken_on = Form(data).date("taken_on", "the date it was taken", latest=who.today)
    if taken_on is None:
        f.errors["taken_on"] = "Enter the date it was taken (not in the future)."
    f.values["taken_on"] = str(data.get("taken_on", ""))
    if answers is None or taken_on is None:
        return render(request, "care/measure_form.html", _ctx(slug, f.values, f.errors, patient=patient), status=400)
    taken_at = datetime.combine(taken_on, datetime.min.time(), UTC) + timedelta(hours=12)
    await measures.enter_on_paper(who, patient.id, instrument, answers, taken_at)
    return redirect(request, url(request, "care:chart", patient_id=patient.id) + "#progress")


def _cssrs_ctx(patient: object, values: dict[str, object], errors: dict[str, str]) -> dict[str, object]:
    return {"patient": patient, "questions": clinical.CSSRS_QUESTIONS, "values": values, "errors": errors}


async def cssrs_page(request: Request) -> Response:
    patient = await access.get_patient_for(actor(request), int(request.path_params["patient_id"]), write=True)
    return render(request, "care/cssrs_form.html", _cssrs_ctx(patient, {}, {}))


async def cssrs(request: Request) -> Response:
    who = actor(request)
    patient = await access.get_patient_for(who, int(request.path_params["patient_id"]), write=True)
    answers, f = parse_cssrs(await form(request))
    if answers is None:
        return render(request, "care/cssrs_form.html", _cssrs_ctx(patient, f.values, f.errors), status=400)
    measure = await measures.record_cssrs(who, patient.id, clinical.cssrs(answers))
    return redirect(request, url(request, "care:measure", measure_id=measure.id))


async def my_progress(request: Request) -> Response:
    who = actor(request)
    try:
        progress = await measures.my_progress(who)
    except NotFound:
        raise Invalid({"form": "Your care team hasn't set up your record yet."}) from None
    return render(request, "care/progress.html", {"progress": progress, "geometry": geometry(progress, who.tz)})


routes = [
    route("/measures/{slug:str}/new", self_report_page, roles=PATIENT),
    route("/measures/{slug:str}/new", self_report, roles=PATIENT, methods=["POST"]),
    route("/measures/{measure_id:int}", result, roles=PATIENT | CLINICIANS, name="measure"),
    route("/patients/{patient_id:int}/measures/new", paper_page, roles=CLINICIANS),
    route("/patients/{patient_id:int}/measures/new", paper, roles=CLINICIANS, methods=["POST"]),
    route("/patients/{patient_id:int}/cssrs/new", cssrs_page, roles=CLINICIANS),
    route("/patients/{patient_id:int}/cssrs/new", cssrs, roles=CLINICIANS, methods=["POST"]),
    route("/me/progress", my_progress, roles=PATIENT),
]
