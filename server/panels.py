"""Panels: how a room to the right adds a block to a page a room to its left renders.

Imports run one way (server <- care <- journal <- notes <- oversight), so the chart (care) cannot ask the journal
for shared entries. Instead the right-hand room adds a panel to the page in its `setup(registry)`; the page's
service collects the page's panels from the registry the actor carries, and each provider does its own
permission-checked, audited read (or returns None).
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


@dataclass(frozen=True)
class Rendered:
    name: str
    template: str
    data: dict[str, Any]


@dataclass
class Panels:
    """One page's panels (e.g. the chart, or the patient's journal home), in the order rooms were set up."""

    registered: list[Panel] = field(default_factory=list)

    def register(self, name: str, template: str, provider: Provider) -> None:
        if any(p.name == name for p in self.registered):
            raise ValueError(f"panel {name!r} registered twice")
        self.registered.append(Panel(name, template, provider))

    async def collect(self, *args: Any) -> list[Rendered]:
        rendered = []
        for panel in self.registered:
            data = await panel.provider(*args)
            if data is not None:
                rendered.append(Rendered(panel.name, panel.template, data))
        return rendered
