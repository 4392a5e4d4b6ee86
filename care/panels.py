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

Provider = Callable[[Actor, Patient, Infusion | None], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    provider: Provider


@dataclass(frozen=True)
class Rendered:
    name: str
    template: str
    data: dict[str, Any]


PANELS: list[Panel] = []


def register(name: str, template: str, provider: Provider) -> None:
    if all(p.name != name for p in PANELS):
        PANELS.append(Panel(name, template, provider))


async def collect(actor: Actor, patient: Patient, infusion: Infusion | None = None) -> list[Rendered]:
    rendered = []
    for panel in PANELS:
        data = await panel.provider(actor, patient, infusion)
        if data is not None:
            rendered.append(Rendered(panel.name, panel.template, data))
    return rendered
