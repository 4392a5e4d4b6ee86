"""FHIR over HTTP: the patient's own bundle to download, and the staff's read-only Patient and $everything."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from interop import service
from interop.record import JournalChoice
from server.policy import CLINICIANS, PATIENT
from server.web import actor, route

FHIR_JSON = "application/fhir+json"


def _json(body: Any, filename: str = "") -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return Response(json.dumps(body, ensure_ascii=False, indent=1), media_type=FHIR_JSON, headers=headers)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def _id(request: Request) -> int:
    return int(request.path_params["patient_id"])  # server.web.route has already answered 404 above 2^31-1


async def patient_export(request: Request) -> Response:
    """The patient's record as a FHIR bundle; `journal` = none (the default), shared or all of their entries."""
    choice = request.query_params.get("journal", "none")
    journal = JournalChoice(choice) if choice in set(JournalChoice) else JournalChoice.NONE
    body = await service.patient_bundle(actor(request), journal, _base(request))
    return _json(body, "record.fhir.json")


async def read_patient(request: Request) -> Response:
    return _json(await service.read_patient(actor(request), _id(request)))


async def everything(request: Request) -> Response:
    return _json(await service.everything(actor(request), _id(request), _base(request)))


routes = [
    route("/me/export.fhir.json", patient_export, roles=PATIENT),
    route("/fhir/Patient/{patient_id:int}", read_patient, roles=CLINICIANS),
    route("/fhir/Patient/{patient_id:int}/$everything", everything, roles=CLINICIANS),
]
