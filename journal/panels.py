"""Panels later rooms add to the patient's journal home (the notes room adds its shared summaries)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from care.models import Patient
from server.actor import Actor

Provider = Callable[[Actor, Patient], Awaitable[dict[str, Any] | None]]


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


HOME: list[Panel] = []


def register(name: str, template: str, provider: Provider) -> None:
    if all(p.name != name for p in HOME):
        HOME.append(Panel(name, template, provider))


async def collect(actor: Actor, patient: Patient) -> list[Rendered]:
    found = []
    for panel in HOME:
        data = await panel.provider(actor, patient)
        if data is not None:
            found.append(Rendered(panel.name, panel.template, data))
    return found
