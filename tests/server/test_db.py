from __future__ import annotations

import sqlite3

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from server.models import AuditChainHead
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite tuning; PostgreSQL has its own configuration")


async def _pragma(name: str):
    rows = await connections.get("default").execute_query_dict(f"PRAGMA {name}")
    return next(iter(rows[0].values()))


async def test_it_tunes_sqlite_for_durability_and_concurrency(app):
    assert await _pragma("journal_mode") == "wal"
    assert await _pragma("synchronous") == 2  # FULL
    assert await _pragma("busy_timeout") == 5000
    assert await _pragma("foreign_keys") == 1


async def test_it_takes_the_write_lock_when_a_transaction_begins(app, settings):
    """Another worker must wait even while this transaction has only read (no SQLITE_BUSY_SNAPSHOT later)."""
    async with in_transaction():
        await AuditChainHead.get(id=1)
        other = sqlite3.connect(settings.database_url.split("://", 1)[1], timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
