"""Checking a produced resource against the FHIR models of `fhir.resources` (pydantic). Those models are R4B (4.3),
which leaves every resource Afterglow writes as it is in R4 (docs/fhir.md); imported only when asked for, as it
loads slowly."""

from __future__ import annotations

from typing import Any


def validate(resource: dict[str, Any]) -> None:
    """Raise pydantic's ValidationError (a ValueError) when the resource does not parse as its declared type."""
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
