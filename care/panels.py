"""Panels later rooms add to the care pages: the chart, the infusion page and the caseload (see server/panels.py).

Providers are called as provider(actor, patient, infusion); caseload panels get no patient and no infusion.
"""

from __future__ import annotations

from care.models import Infusion, Patient
from server.actor import Actor
from server.panels import Panels, Provider, Rendered

PAGES = Panels()

__all__ = ["Rendered", "collect", "register"]


def register(name: str, template: str, provider: Provider, places: tuple[str, ...] = ("chart", "infusion")) -> None:
    PAGES.register(name, template, provider, places)


async def collect(actor: Actor, patient: Patient | None = None, infusion: Infusion | None = None) -> list[Rendered]:
    place = "infusion" if infusion else ("chart" if patient else "caseload")
    return await PAGES.collect(place, actor, patient, infusion)
