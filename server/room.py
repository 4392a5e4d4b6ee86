"""The shell's own part of the registry: accounts and sessions, admin pages, its policy rules and audit actions."""

from __future__ import annotations

from server import audit, policy
from server.models import Role
from server.registry import NavEntry, Registry


def setup(registry: Registry) -> None:
    registry.room("server", models="server.models", routes=("server.routes", "server.admin_routes"), access=policy)
    registry.add_actions(audit.actions_in(audit))  # the shell's audit actions live with the audit log itself
    registry.home(Role.ADMIN, "server:admin_users")
    registry.add_nav(
        NavEntry(Role.ADMIN, "Accounts", "server:admin_users", position=10),
        # Patients have four links (Journal · Write · Progress · Me, a tab bar on a phone); their password is on Me.
        *(NavEntry(role, "Password", "server:password", position=100) for role in Role if role != Role.PATIENT),
    )
