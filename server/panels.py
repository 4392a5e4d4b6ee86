"""Panels: how a room to the right adds a block to a page a room to its left renders.

Imports run one way (server <- care <- journal <- notes <- oversight), so the chart (care) cannot ask the journal
for shared entries. Instead the right-hand room adds a panel to the page in its `setup(registry)`; the page's
service collects the page's panels from the registry the actor carries, and each provider does its own
permission-checked, audited read (or returns None).

A panel may also say what it wants to read before anything is read (`wants(*args, batch)`: after its permission
check, compiled queries put in the page's batch, server/compiled_together.py; a dict of names to handles, or None to
read for itself). The page's service puts its own reads in the same batch; one statement answers them all, and the
provider is then called with `got=` the results by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from server.compiled_together import Batch

Provider = Callable[..., Awaitable[dict[str, Any] | None]]
Wants = Callable[..., Awaitable[dict[str, int] | None]]


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    provider: Provider
    wants: Wants | None = None


@dataclass(frozen=True)
class Rendered:
    name: str
    template: str
    data: dict[str, Any]


@dataclass
class Panels:
    """One page's panels (e.g. the chart, or the patient's journal home), in the order rooms were set up."""

    registered: list[Panel] = field(default_factory=list)

    def register(self, name: str, template: str, provider: Provider, wants: Wants | None = None) -> None:
        if any(p.name == name for p in self.registered):
            raise ValueError(f"panel {name!r} registered twice")
        self.registered.append(Panel(name, template, provider, wants))

    async def want(self, *args: Any, batch: Batch) -> dict[str, dict[str, int]]:
        """Put the panels' wanted reads in the page's batch (which the page then runs); for `collect(wanted=)`."""
        wanted: dict[str, dict[str, int]] = {}
        for panel in self.registered:
            if panel.wants is not None and (handles := await panel.wants(*args, batch)) is not None:
                wanted[panel.name] = handles
        return wanted

    async def collect(
        self, *args: Any, batch: Batch | None = None, wanted: dict[str, dict[str, int]] | None = None
    ) -> list[Rendered]:
        """The page's panels. With a batch: the panels' reads join it and it runs here, unless `wanted` says the
        page did both already (`want`, then the batch's run)."""
        if batch is not None and wanted is None:
            wanted = await self.want(*args, batch=batch)
            await batch.run()
        wanted = wanted or {}
        rendered = []
        for panel in self.registered:
            if panel.name in wanted and batch is not None:
                got = {name: batch.got(handle) for name, handle in wanted[panel.name].items()}
                data = await panel.provider(*args, got=got)
            else:
                data = await panel.provider(*args)
            if data is not None:
                rendered.append(Rendered(panel.name, panel.template, data))
        return rendered
