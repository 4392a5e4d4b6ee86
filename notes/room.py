"""The notes room's part of the registry: notes on the care pages, the therapist dashboard on the caseload, shared
summaries on the patient's journal home, and `python -m server verify-notes`."""

from __future__ import annotations

from care import panels as care_pages
from journal import panels as journal_pages
from notes import access, commands, demo, digest, messages, panels, printing, replies
from notes.dashboard import dashboard
from server import audit
from server.models import Role
from server.registry import NavEntry, Registry

STAFF = (Role.THERAPIST, Role.SUPERVISOR)


def setup(registry: Registry) -> None:
    routes = ("notes.routes", "notes.reply_routes", "notes.print_routes", "notes.supervision_routes")
    registry.room("notes", models="notes.models", routes=routes, access=access)
    registry.panel(
        (care_pages.CHART, care_pages.INFUSION),
        "notes",
        "notes/_notes_panel.html",
        panels.notes_panel,
        panels.notes_wants,
    )
    registry.panel((care_pages.CASELOAD,), "dashboard", "notes/_dashboard.html", dashboard)
    registry.panel(
        (journal_pages.HOME,), "summaries", "notes/_summaries.html", panels.summaries, panels.summaries_wants
    )
    registry.command("verify-notes", "check every signed note against its stored SHA-256", commands.verify_notes)
    registry.topic(digest.TOPIC, "A morning summary of notes to finish and alerts to acknowledge", STAFF)
    registry.message(digest.KIND, digest.render, digest.TOPIC)
    registry.producers.append(digest.produce)
    registry.topic(messages.TOPIC, "When your care team shares a few words after a session", (Role.PATIENT,))
    registry.message(messages.KIND, messages.render, messages.TOPIC)
    registry.models.append("notes.reply_models")
    registry.add_actions(audit.actions_in(replies))
    registry.add_actions(audit.actions_in(printing))
    registry.panel((journal_pages.HOME,), "replies", "notes/_replies_home.html", replies.home_panel, replies.home_wants)
    registry.panel((journal_pages.ENTRY,), "replies", "notes/_replies.html", replies.entry_panel)
    registry.topic(replies.TOPIC, "When your care team replies to an entry you shared", (Role.PATIENT,))
    registry.message(replies.KIND, replies.render, replies.TOPIC)
    registry.demo_loaders.append(demo.seed)
    registry.add_nav(
        NavEntry(Role.SUPERVISOR, "Supervision", "notes:supervision", position=45),
        NavEntry(Role.ADMIN, "Supervision", "notes:supervision", position=25),
    )
