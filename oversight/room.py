"""The oversight room's part of the registry: supervisors' pages and badge, break-the-glass, the patient's access
log, clinic settings, and `python -m server escalate | seed`."""

from __future__ import annotations

from oversight import access, commands, quality
from server.models import Role
from server.registry import NavEntry, Registry


def setup(registry: Registry) -> None:
    registry.room("oversight", models="oversight.models", routes=("oversight.routes",), access=access)
    registry.home(Role.SUPERVISOR, "oversight:home")
    registry.add_nav(
        # The patient's "Me": who saw their record, and their account (password, downloads, sign out).
        NavEntry(Role.PATIENT, "Me", "oversight:me", position=30, icon="me"),
        NavEntry(
            Role.SUPERVISOR,
            "Oversight",
            "oversight:home",
            position=10,
            badge="escalated",
            badge_label="escalated alerts",
        ),
        NavEntry(Role.ADMIN, "Settings", "oversight:settings_page", position=30),
    )
    registry.badges.append(quality.escalated_badge)
    registry.command("escalate", "escalate risk alerts unacknowledged past the clinic's window", commands.run_escalate)
    registry.command(
        "seed", "seed a deterministic clinic network for load tests (--scale N)", commands.run_seed, commands.seed_args
    )
