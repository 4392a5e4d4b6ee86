"""The care pages later rooms add panels to (see server/panels.py): the chart, the infusion page, the caseload and
the patient's progress page.

Providers are called as provider(actor, patient, infusion); caseload panels get no patient and no infusion.
"""

from __future__ import annotations

from care.models import Infusion, Patient
from server.actor import Actor
from server.compiled_together import Batch
from server.panels import Rendered

CHART, INFUSION, CASELOAD = "care.chart", "care.infusion", "care.caseload"
# The patient's own progress page (/me/progress): providers are called as provider(actor, patient).
PROGRESS = "care.progress"
# A booked session's page (/bookings/{id}): providers are called as provider(actor, booking).
BOOKING = "care.booking"


async def collect(
    actor: Actor, patient: Patient | None = None, infusion: Infusion | None = None, batch: Batch | None = None
) -> list[Rendered]:
    """The page's panels; with a batch (holding the page's own reads), the panels' reads join it and it runs here."""
    page = INFUSION if infusion else (CHART if patient else CASELOAD)
    return await actor.registry.page(page).collect(actor, patient, infusion, batch=batch)
