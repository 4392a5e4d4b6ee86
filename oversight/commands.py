"""`python -m server escalate`: stamp and audit risk alerts past their window (safe to run from cron)."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from oversight.quality import escalate
from server.actor import Actor
from server.passwords import Passwords
from server.settings import Settings


async def run_escalate(settings: Settings, _args: argparse.Namespace) -> int:
    actor = Actor(user=None, now=settings.clock(), settings=settings, passwords=Passwords(settings), ip="cli")
    count = await escalate(actor)
    print(f"{count} risk alert(s) escalated to supervisors.")
    return 0


COMMANDS: dict[str, tuple[str, Callable[[Settings, argparse.Namespace], Awaitable[int]]]] = {
    "escalate": ("escalate risk alerts unacknowledged past the clinic's window", run_escalate)
}


async def run_seed(settings: Settings, args: argparse.Namespace) -> int:
    from oversight.seed import seed

    if not 0 < args.scale <= 100:
        print("Scale must be above 0 and at most 100.")
        return 2
    print("\n".join(await seed(settings, args.scale)))
    return 0


COMMANDS["seed"] = ("seed a deterministic clinic network for load tests (--scale N)", run_seed)
