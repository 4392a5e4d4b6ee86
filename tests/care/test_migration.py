"""Migrations after 0010 (form keys, versions, the pre-dose checklist, ...) apply to a database that already holds
records (SQLite refuses to add a NOT NULL column without a database default to a table with rows): old infusions read as
"checklist not recorded"."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from afterglow import tortoise_config
from tests.conftest import FakeClock, make_settings

BEFORE = "models.0010_audit_event_description"


def _dummy(sql_type: str) -> object:
    kind = sql_type.upper()
    if kind.startswith(("INT", "BIGINT", "SMALLINT", "DECIMAL", "REAL", "BOOL")):
        return 1
    if kind.startswith("TIMESTAMP"):
        return "2026-11-01 15:00:00+00:00"
    if kind.startswith("DATE"):
        return "2026-11-01"
    return "{}" if kind.startswith("JSON") else "x"


def _insert_one(db: sqlite3.Connection, table: str) -> None:
    """Row 1 of `table`, every required column filled with a plain value of its type (foreign keys point at row 1)."""
    columns = db.execute(f'PRAGMA table_info("{table}")').fetchall()
    values = {name: _dummy(kind) for _, name, kind, notnull, default, pk in columns if (notnull or pk) and not default}
    names, marks = ", ".join(f'"{n}"' for n in values), ", ".join("?" for _ in values)
    db.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(values.values()))  # noqa: S608


async def _migrate(path: Path, target: str | None = None) -> None:
    settings = make_settings(f"sqlite://{path}", path.parent, FakeClock())
    try:
        await migrate(config=tortoise_config(settings), target=target)
    finally:
        await Tortoise.close_connections()


def test_it_adds_the_pre_dose_checklist_to_a_database_with_infusions(tmp_path: Path) -> None:
    path = tmp_path / "before.sqlite3"
    asyncio.run(_migrate(path, BEFORE))
    with closing(sqlite3.connect(path)) as db:
        for table in ("clinic", "user", "patient", "course", "infusion"):
            _insert_one(db, table)
        db.commit()
    asyncio.run(_migrate(path))
    with closing(sqlite3.connect(path)) as db:
        row = db.execute(
            "SELECT pre_dose_systolic, bp_decision, fasting_confirmed, medications_reviewed, high_dose_reason"
            " FROM infusion"
        ).fetchall()
    assert row == [(None, "", 0, 0, "")]
