"""The interop room's part of the registry: the FHIR routes and `python -m server fhir-export`. It keeps no tables."""

from __future__ import annotations

from interop import access, bulk
from server.registry import Registry


def setup(registry: Registry) -> None:
    registry.room("interop", models=None, routes=("interop.routes",), access=access)
    registry.command(
        "fhir-export", "write each clinic's record as FHIR Bulk Data NDJSON (--out DIR)", bulk.run, bulk.arguments
    )
