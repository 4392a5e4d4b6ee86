"""`python -m server escalate`: stamp and audit risk alerts past their window (safe to run from cron)."""

from __future__ import annotations

from oversight.quality import escalate
from server.actor import Actor
from server.passwords import Passwords
from server.settings import Settings


async def run_escalate(settings: Settings) -> int:
    actor = Actor(user=None, now=settings.clock(), settings=settings, passwords=Passwords(settings), ip="cli")
    count = await escalate(actor)
    print(f"{count} risk alert(s) escalated to supervisors.")
    return 0


COMMANDS = {"escalate": ("escalate risk alerts unacknowledged past the clinic's window", run_escalate)}
