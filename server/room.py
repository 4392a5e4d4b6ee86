"""The shell's own part of the registry: accounts and sessions, admin pages, its policy rules and audit actions."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute

from server import audit, policy
from server.models import Role
from server.registry import NavEntry, Registry


def _routes() -> Sequence[BaseRoute]:
    from server import admin_routes, routes

    return [*routes.routes, *admin_routes.routes]


def setup(registry: Registry) -> None:
    registry.room("server", models="server.models", routes=_routes)
    registry.add_rules(policy.rules_in(policy))
    registry.add_actions(audit.actions_in(audit))
    registry.home(Role.ADMIN, "server:admin_users")
    registry.add_nav(
        NavEntry(Role.ADMIN, "Accounts", "server:admin_users", position=10),
        *(NavEntry(role, "Password", "server:password", position=100) for role in Role),
    )
