"""`python -m server escalate` (stamp and audit risk alerts past their window, safe to run from cron) and
`python -m server seed --scale N` (the load-test seeder in benchmarks/seed.py)."""

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
    """The load-test seeder is benchmarks/seed.py, in a source checkout rather than the installed packages (it writes
    every room's tables and belongs to no room); `python -m server` puts the current directory first on the import
    path, so it is found when run from the repository root (where the Makefile and benchmarks/run.py run it)."""
    try:
        from benchmarks.seed import seed
    except ModuleNotFoundError as exc:
        if exc.name not in {"benchmarks", "benchmarks.seed"}:
            raise
        print("The load-test seeder is benchmarks/seed.py in a source checkout: run this from the repository root.")
        return 2
    if not 0 < args.scale <= 100:
        print("Scale must be above 0 and at most 100.")
        return 2
    print("\n".join(await seed(settings, args.scale)))
    return 0


def seed_args(command: argparse.ArgumentParser) -> None:
    command.add_argument("--scale", type=float, default=1.0, help="1 = 20 therapists, 1,000 patients, ...")
