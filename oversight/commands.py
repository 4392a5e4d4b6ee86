"""`python -m server escalate` and `python -m server seed --scale N` (set up in oversight/room.py)."""

from __future__ import annotations

import argparse

from oversight.quality import escalate
from server.actor import Actor
from server.passwords import Passwords
from server.settings import Settings


async def run_escalate(settings: Settings, _args: argparse.Namespace) -> int:
    """Stamp and audit risk alerts past their window (safe to run from cron)."""
    actor = Actor(user=None, now=settings.clock(), settings=settings, passwords=Passwords(settings), ip="cli")
    count = await escalate(actor)
    print(f"{count} risk alert(s) escalated to supervisors.")
    return 0


async def run_seed(settings: Settings, args: argparse.Namespace) -> int:
    from oversight.seed import seed

    if not 0 < args.scale <= 100:
        print("Scale must be above 0 and at most 100.")
        return 2
    print("\n".join(await seed(settings, args.scale)))
    return 0



def seed_args(command: argparse.ArgumentParser) -> None:
    command.add_argument("--scale", type=float, default=1.0, help="1 = 20 therapists, 1,000 patients, ...")
