"""The journal room's part of the registry: the patient's journal, and shared entries on the care pages."""

from __future__ import annotations

from care import panels as care_pages
from journal import access, demo, intentions, reminders, scales, shared, trash
from journal import panels as journal_pages
from server.models import Role
from server.registry import NavEntry, Registry


def setup(registry: Registry) -> None:
    registry.room(
        "journal", models="journal.models", routes=("journal.routes", "journal.history_routes"), access=access
    )
    registry.home(Role.PATIENT, "journal:home")
    registry.add_nav(
        NavEntry(Role.PATIENT, "Journal", "journal:home", position=10, icon="journal"),
        NavEntry(Role.PATIENT, "Write", "journal:new_page", position=15, icon="write"),
    )
    template = "journal/_shared_panel.html"
    registry.panel(
        (care_pages.CHART, care_pages.INFUSION), "journal", template, shared.shared_panel, shared.shared_wants
    )
    registry.panel(
        (journal_pages.HOME,),
        "next_session",
        "care/_next_session.html",
        intentions.next_session_panel,
        intentions.next_session_wants,
    )
    registry.panel((care_pages.BOOKING,), "intention", "journal/_intention_panel.html", intentions.booking_panel)
    registry.panel((care_pages.PROGRESS,), "journal", "journal/_scales_panel.html", scales.scales_panel)
    registry.topic(reminders.TOPIC, "New prompts to write, after a session or from your care team", (Role.PATIENT,))
    registry.message(reminders.KIND, reminders.render, reminders.TOPIC)
    registry.producers.append(reminders.produce)
    registry.demo_loaders.append(demo.seed)
    registry.command(
        "purge-journal", "remove journal entries 30 days in Recently deleted, for good (run daily)", trash.run_purge
    )
