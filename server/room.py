"""The shell's own part of the registry: accounts and sessions, admin pages, its policy rules and audit actions."""

from __future__ import annotations

from server import audit, enrolment, factors, passkeys, password_reset, policy, reminders
from server.models import Role
from server.registry import NavEntry, Registry


def setup(registry: Registry) -> None:
    routes = (
        "server.routes",
        "server.admin_routes",
        "server.enrol_routes",
        "server.reminder_routes",
        "server.passkey_routes",
        "server.security_routes",
    )
    registry.room("server", models="server.models", routes=routes, access=policy)
    registry.models.append("server.passkey_models")
    registry.add_actions(audit.actions_in(audit, enrolment, factors, password_reset, reminders, passkeys))
    registry.badges.append(enrolment.pending_badge)
    registry.message(enrolment.MESSAGE_KIND, enrolment.render_message)
    registry.home(Role.ADMIN, "server:admin_users")
    registry.add_nav(
        NavEntry(Role.ADMIN, "Accounts", "server:admin_users", position=10),
        NavEntry(
            Role.SUPERVISOR,
            "Approvals",
            "server:approvals",
            position=80,
            badge="approvals",
            badge_label="access requests waiting",
        ),
        # Patients have four links (Journal · Write · Progress · Me, a tab bar on a phone); their password is on Me.
        *(NavEntry(role, "Password", "server:password", position=100) for role in Role if role != Role.PATIENT),
    )
