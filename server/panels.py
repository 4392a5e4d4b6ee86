"""Panels: how a room to the right adds a block to a page a room to its left renders.

Imports run one way (server <- care <- journal <- notes <- oversight), so the chart (care) cannot ask the journal
for shared entries. Instead the right-hand room registers a panel at import time; the page's service collects
every panel for its place, and each provider does its own permission-checked, audited read (or returns None).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Provider = Callable[..., Awaitable[dict[str, Any] | None]]


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


@dataclass
class Panels:
    """One page family's registry (e.g. the care pages, or the patient's journal home)."""

    registered: list[Panel] = field(default_factory=list)

    def register(self, name: str, template: str, provider: Provider, places: tuple[str, ...]) -> None:
        if all(p.name != name for p in self.registered):
            self.registered.append(Panel(name, template, provider, places))

    async def collect(self, place: str, *args: Any) -> list[Rendered]:
        rendered = []
        for panel in (p for p in self.registered if place in p.places):
            data = await panel.provider(*args)
            if data is not None:
                rendered.append(Rendered(panel.name, panel.template, data))
        return rendered
