"""Panels later rooms add to the patient's journal home (the notes room adds its shared summaries).

Providers are called as provider(actor, patient) (see server/panels.py).
"""

from __future__ import annotations

from care.models import Patient
from server.actor import Actor
from server.panels import Panels, Provider, Rendered

HOME = Panels()

__all__ = ["Rendered", "collect", "register"]


def register(name: str, template: str, provider: Provider) -> None:
    HOME.register(name, template, provider, ("home",))


async def collect(actor: Actor, patient: Patient) -> list[Rendered]:
    return await HOME.collect("home", actor, patient)
