"""Panels that rooms to the right add to the patient chart and the infusion page.

Imports run one way (server <- care <- journal <- notes), so care cannot ask the journal for shared entries. Instead
a later room registers a panel here at import time; the chart and infusion services call every panel, and each
panel does its own permission-checked, audited read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from care.models import Infusion, Patient
from server.actor import Actor

Provider = Callable[[Actor, Patient | None, Infusion | None], Awaitable[dict[str, Any] | None]]
PLACES = ("chart", "infusion", "caseload")  # caseload panels get no patient and no infusion


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    provider: Provider
    places: tuple[str, ...]


@dataclass(frozen=True)
class Rendered:
    name: str
    template: str
    data: dict[str, Any]


PANELS: list[Panel] = []


def register(name: str, template: str, provider: Provider, places: tuple[str, ...] = ("chart", "infusion")) -> None:
    if all(p.name != name for p in PANELS):
        PANELS.append(Panel(name, template, provider, places))


async def collect(actor: Actor, patient: Patient | None = None, infusion: Infusion | None = None) -> list[Rendered]:
    place = "infusion" if infusion else ("chart" if patient else "caseload")
    rendered = []
    for panel in (p for p in PANELS if place in p.places):
        data = await panel.provider(actor, patient, infusion)
        if data is not None:
            rendered.append(Rendered(panel.name, panel.template, data))
    return rendered
