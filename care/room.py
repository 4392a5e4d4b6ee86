"""The care room's part of the registry: patients, courses, infusions, measures and alerts."""

from __future__ import annotations

from care import access, calendar, clinic_settings, demo, essentials, invites, panels, printing, safety_plan
from server import audit
from server.models import Role
from server.registry import NavEntry, Registry


def setup(registry: Registry) -> None:
    routes = (
        "care.routes",
        "care.calendar_routes",
        "care.essential_routes",
        "care.safety_plan_routes",
        "care.print_routes",
    )
    registry.room("care", models="care.models", routes=routes, access=access)
    registry.models.append("care.calendar_models")
    registry.add_actions(audit.actions_in(calendar))
    registry.models.append("care.chart_models")
    registry.add_actions(audit.actions_in(essentials))
    registry.add_actions(audit.actions_in(safety_plan))
    registry.add_actions(audit.actions_in(printing))
    registry.panel(
        (panels.CHART,), "essentials", "care/_essentials_panel.html", essentials.chart_panel, essentials.chart_wants
    )
    registry.panel((panels.INFUSION,), "interactions", "care/_infusion_flags_panel.html", essentials.infusion_panel)
    registry.topic("sessions", "Calendar invitations for the sessions booked for you", (Role.PATIENT,))
    registry.topic("measures", "A short questionnaire to answer before a session", (Role.PATIENT,))
    registry.message(calendar.MESSAGE_INVITE, invites.render_invite, "sessions")
    registry.message(invites.MEASURE_REMINDER, invites.render_measure_reminder, "measures")
    registry.producers.append(invites.produce_measure_reminders)
    registry.home(Role.THERAPIST, "care:caseload")
    registry.home(Role.MEDICAL, "care:caseload")
    registry.add_nav(
        NavEntry(Role.PATIENT, "Progress", "care:my_progress", position=20, icon="progress"),
        NavEntry(Role.THERAPIST, "Caseload", "care:caseload", position=10),
        NavEntry(Role.THERAPIST, "Alerts", "care:alerts", position=20),
        NavEntry(Role.THERAPIST, "Calendar", "care:calendar", position=15),
        NavEntry(Role.SUPERVISOR, "Calendar", "care:calendar", position=25),
        NavEntry(Role.MEDICAL, "Caseload", "care:caseload", position=10),
        NavEntry(Role.MEDICAL, "Calendar", "care:calendar", position=15),
        NavEntry(Role.THERAPIST, "Emergency access", "care:glass_form", position=30),
        NavEntry(Role.SUPERVISOR, "Patients", "care:caseload", position=20),
        NavEntry(Role.SUPERVISOR, "Alerts", "care:alerts", position=30),
        NavEntry(Role.SUPERVISOR, "Care teams", "care:care_teams", position=40),
        NavEntry(Role.ADMIN, "Care teams", "care:care_teams", position=20),
    )
    registry.demo_loaders.append(demo.seed)
    registry.staff_two_factor = clinic_settings.staff_two_factor
