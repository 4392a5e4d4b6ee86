"""The chart's essentials page and its forms: medications, allergies, diagnoses and contacts (care/essentials.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from care import essential_forms, essentials
from server.errors import Invalid
from server.forms import Form
from server.policy import CARE_STAFF
from server.web import actor, form, form_key, redirect, render, route, url

PARSERS = {
    "medication": essential_forms.medication,
    "allergy": essential_forms.allergy,
    "diagnosis": essential_forms.diagnosis,
}
TEMPLATE = "care/essentials.html"


def _ctx(page: essentials.Essentials, errors: dict[str, str] | None = None) -> dict[str, object]:
    return {
        "e": page,
        "errors": errors or {},
        "done": "",
        "severities": essential_forms.SEVERITIES,
        "diagnosis_statuses": essential_forms.DIAGNOSIS_STATUSES,
        "contact_fields": essential_forms.CONTACT_FIELDS,
    }


def _back(request: Request, patient_id: int, anchor: str) -> Response:
    return redirect(request, url(request, "care:essentials", patient_id=patient_id) + f"?done={anchor}#{anchor}")


async def show(request: Request) -> Response:
    page = await essentials.page(
        actor(request), int(request.path_params["patient_id"]), request.query_params.get("edit", "")
    )
    return render(request, TEMPLATE, _ctx(page) | {"done": request.query_params.get("done", "")[:20]})


def _version(raw: object) -> int | None:
    return Form(raw).integer("version", "the version", 0, 2**31 - 1, required=False)  # type: ignore[arg-type]


def adder(kind: str):  # type: ignore[no-untyped-def]
    async def add(request: Request) -> Response:
        who, raw = actor(request), await form(request)
        columns, f = PARSERS[kind](raw, who.today)
        patient_id = int(request.path_params["patient_id"])
        try:
            await essentials.add(who, patient_id, kind, form_key(raw), columns, f.errors, f.values)
        except Invalid as exc:
            return render(request, TEMPLATE, _ctx(exc.page, exc.errors), status=exc.status)
        return _back(request, patient_id, kind)

    return add


def changer(kind: str):  # type: ignore[no-untyped-def]
    async def change(request: Request) -> Response:
        who, raw = actor(request), await form(request)
        columns, f = PARSERS[kind](raw, who.today)
        row_id = int(request.path_params[f"{kind}_id"])
        try:
            row = await essentials.change(who, kind, row_id, _version(raw), columns, f.errors, f.values)
        except Invalid as exc:
            return render(request, TEMPLATE, _ctx(exc.page, exc.errors), status=exc.status)
        return _back(request, row.patient_id, kind)  # type: ignore[attr-defined]

    return change


async def contacts(request: Request) -> Response:
    who, raw = actor(request), await form(request)
    columns, f = essential_forms.contacts(raw)
    patient_id = int(request.path_params["patient_id"])
    try:
        await essentials.save_contacts(who, patient_id, _version(raw), columns, f.errors, f.values)
    except Invalid as exc:
        return render(request, TEMPLATE, _ctx(exc.page, exc.errors), status=exc.status)
    return _back(request, patient_id, "contacts")


async def no_known_allergies(request: Request) -> Response:
    who, raw = actor(request), await form(request)
    patient_id = int(request.path_params["patient_id"])
    try:
        await essentials.no_known_allergies(who, patient_id, _version(raw))
    except Invalid as exc:
        return render(request, TEMPLATE, _ctx(exc.page, exc.errors), status=exc.status)
    return _back(request, patient_id, "allergy")


PLURAL = {"medication": "medications", "allergy": "allergies", "diagnosis": "diagnoses"}
routes = [
    route("/patients/{patient_id:int}/essentials", show, roles=CARE_STAFF, name="essentials"),
    route("/patients/{patient_id:int}/contacts", contacts, roles=CARE_STAFF, methods=["POST"], name="contacts_save"),
    route(
        "/patients/{patient_id:int}/no-known-allergies",
        no_known_allergies,
        roles=CARE_STAFF,
        methods=["POST"],
        name="no_known_allergies",
    ),
    *(
        route(
            f"/patients/{{patient_id:int}}/{many}", adder(kind), roles=CARE_STAFF, methods=["POST"], name=f"{kind}_add"
        )
        for kind, many in PLURAL.items()
    ),
    *(
        route(f"/{many}/{{{kind}_id:int}}", changer(kind), roles=CARE_STAFF, methods=["POST"], name=f"{kind}_change")
        for kind, many in PLURAL.items()
    ),
]
