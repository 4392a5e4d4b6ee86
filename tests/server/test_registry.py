"""The shell and rooms meet only through the registry each room's setup() fills: nothing registers on import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import afterglow
from server.web import RoomMount, leaf_routes

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("care", "journal", "notes", "oversight", "interop")


def test_it_sets_up_the_shell_and_every_room_in_import_order():
    registry = afterglow.registry()
    assert registry.rooms == ["server", "care", "journal", "notes", "oversight", "interop"]
    # interop reads the other rooms' models; its one table tracks the clinic exports started from the web
    assert registry.models == [
        "server.models",
        "server.passkey_models",
        "care.models",
        "care.calendar_models",
        "care.chart_models",
        "journal.models",
        "notes.models",
        "notes.reply_models",
        "oversight.models",
        "interop.models",
    ]


def test_each_room_brings_its_panels_badges_rules_actions_and_commands(app):
    registry = app.state.registry
    panels = {page: [p.name for p in registry.page(page).registered] for page in registry.panels}
    assert panels == {
        "care.chart": ["essentials", "journal", "notes"],
        "care.infusion": ["interactions", "journal", "notes"],
        "care.progress": ["journal"],
        "care.caseload": ["dashboard"],
        "journal.home": ["next_session", "summaries", "replies"],
        "journal.entry": ["replies"],
        "care.booking": ["intention"],
    }
    assert [b.__module__ for b in registry.badges] == ["server.enrolment", "oversight.quality"]
    for rule, room in [("patient.view", "care"), ("journal.write", "journal"), ("note.cosign", "notes")]:
        assert registry.rules[rule].check.__module__ == f"{room}.access"
    assert {"users.manage", "oversight.audit", "break_glass.request", "clinic.settings"} <= set(registry.rules)
    assert {"auth.login", "patient.chart_viewed", "journal.entry_saved", "note.signed", "audit.viewed"} <= set(
        registry.actions
    )
    assert {"verify-notes", "escalate", "seed", "fhir-export"} <= set(registry.commands)
    assert len(registry.demo_loaders) == 3
    assert {str(role): registry.homes[role] for role in registry.homes} == {
        "admin": "server:admin_users",
        "therapist": "care:caseload",
        "medical": "care:caseload",
        "patient": "journal:home",
        "supervisor": "oversight:home",
    }


def test_every_route_lives_in_its_rooms_named_mount(app):
    mounts = {m.name: m for m in app.routes if isinstance(m, RoomMount)}
    for name, mount in mounts.items():
        for r in leaf_routes(mount.routes):
            module = r.endpoint.__module__.split(".")[0]
            assert module == name, f"{r.path} ({r.endpoint.__module__}) is mounted in {name}"


def test_no_room_mutates_a_shell_registry_at_import_time():
    """No module-level statement of a room calls into or appends to anything: setup() is the only way in."""
    for room in ROOMS:
        for path in (ROOT / room).glob("*.py"):
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                    raise AssertionError(f"{path.name}:{node.lineno} calls {ast.unparse(node.value)} on import")
                if isinstance(node, ast.If):
                    raise AssertionError(f"{path.name}:{node.lineno} runs code conditionally on import")


@pytest.mark.slow
def test_a_rooms_service_works_without_its_routes_module(tmp_path):
    """In a fresh interpreter that never imports a routes module, the chart service still shows the journal's and
    the notes room's panels, and the notes room's policy rules answer."""
    script = f"""
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
import afterglow
from server import demo
from server.actor import Actor
from server.passwords import Passwords
from server.settings import Settings
from server.models import User

async def main():
    settings = Settings(database_url="sqlite://{tmp_path}/db.sqlite3", secret_key="k", var_dir="{tmp_path}",
                        argon2_time_cost=1, argon2_memory_kib=1024)
    await migrate(config=afterglow.tortoise_config(settings))
    await Tortoise.init(config=afterglow.tortoise_config(settings))
    registry = afterglow.registry()
    cli = Actor(user=None, now=settings.clock(), settings=settings, passwords=Passwords(settings), registry=registry)
    await demo.load(cli, "quiet-harbor-lantern")
    from care import patients
    from care.models import Patient
    from notes.access import MAY_NOTE_READ
    from notes.models import IntegrationNote
    from server.policy import can
    user = await User.get(email="therapist@demo.clinic").select_related("clinic")
    who = Actor(user=user, now=settings.clock(), settings=settings, passwords=Passwords(settings), registry=registry)
    casey = await Patient.get(user__email="patient@demo.clinic")
    chart = await patients.chart(who, casey.id)
    note = await IntegrationNote.filter(patient_id=casey.id, status="signed").first()
    print(sorted(p.name for p in chart.panels), await can(user, MAY_NOTE_READ, note))
    print(sorted(m for m in sys.modules if m.endswith(".routes") or m.endswith("_routes")))
    await Tortoise.close_connections()

asyncio.run(main())
"""
    done = subprocess.run(  # noqa: S603 - the test's own interpreter and script
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    panels, routes = done.stdout.splitlines()[-2:]
    assert panels == "['essentials', 'journal', 'notes'] True"
    assert routes == "[]"
