"""Migration 0027 on a database that already has clinics: they keep signing staff in with a password (the setting
is stored off) until an admin turns it on; a clinic's own choice, when it already made one, is kept."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from afterglow import tortoise_config
from tests.conftest import FakeClock, make_settings


async def _migrate(path: Path, target: str | None = None) -> None:
    try:
        await migrate(
            config=tortoise_config(make_settings(f"sqlite://{path}", path.parent, FakeClock())), target=target
        )
    finally:
        await Tortoise.close_connections()


def test_existing_clinics_keep_password_sign_in_after_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "before.sqlite3"
    asyncio.run(_migrate(path, "models.0026_entry_replies"))
    with closing(sqlite3.connect(path)) as db:
        for slug, settings in (("a", "{}"), ("b", '{"staff_two_factor": true, "note_signing_hours": 48}')):
            db.execute(
                "INSERT INTO clinic (name, slug, timezone, settings, settings_version, created_at)"
                " VALUES (?, ?, 'UTC', ?, 1, '2026-11-01 15:00:00+00:00')",
                (slug, slug, settings),
            )
        db.commit()
    asyncio.run(_migrate(path))
    with closing(sqlite3.connect(path)) as db:
        stored = {slug: json.loads(s) for slug, s in db.execute("SELECT slug, settings FROM clinic")}
    assert stored == {"a": {"staff_two_factor": False}, "b": {"staff_two_factor": True, "note_signing_hours": 48}}
