"""The patient's journal home, a page later rooms add panels to (the notes room adds its shared summaries).

Providers are called as provider(actor, patient) (see server/panels.py).
"""

from __future__ import annotations

from care.models import Patient
from server.actor import Actor
from server.compiled_together import Batch
from server.panels import Rendered

HOME = "journal.home"
# The patient's own entry page (/journal/{id}): providers are called as provider(actor, patient, entry).
ENTRY = "journal.entry"


async def want(actor: Actor, patient: Patient, batch: Batch) -> dict[str, dict[str, int]]:
    """The home's panels' reads, put in the home's batch (server/panels.py)."""
    return await actor.registry.page(HOME).want(actor, patient, batch=batch)


async def collect(
    actor: Actor, patient: Patient, batch: Batch | None = None, wanted: dict[str, dict[str, int]] | None = None
) -> list[Rendered]:
    return await actor.registry.page(HOME).collect(actor, patient, batch=batch, wanted=wanted)
