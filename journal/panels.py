"""The patient's journal home, a page later rooms add panels to (the notes room adds its shared summaries).

Providers are called as provider(actor, patient) (see server/panels.py).
"""

from __future__ import annotations

from care.models import Patient
from server.actor import Actor
from server.panels import Rendered

HOME = "journal.home"
# The patient's own entry page (/journal/{id}): providers are called as provider(actor, patient, entry).
ENTRY = "journal.entry"


async def collect(actor: Actor, patient: Patient) -> list[Rendered]:
    return await actor.registry.page(HOME).collect(actor, patient)
