"""The interop room's part of the registry: the FHIR routes, the clinic export supervisors start from oversight (its
page linked from their navigation, its worker run while the app serves) and `python -m server fhir-export`."""

from __future__ import annotations

from interop import access, bulk, exports
from server.models import Role
from server.registry import NavEntry, Registry


def setup(registry: Registry) -> None:
    registry.room("interop", models="interop.models", routes=("interop.routes", "interop.export_routes"), access=access)
    registry.add_nav(NavEntry(Role.SUPERVISOR, "Exports", "interop:export_list", position=40))
    registry.workers.append(exports.working)
    registry.command(
        "fhir-export", "write each clinic's record as FHIR Bulk Data NDJSON (--out DIR)", bulk.run, bulk.arguments
    )
