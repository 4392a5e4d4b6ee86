"""One range of `audit verify`'s parallel walk, in a worker process (server/audit_walk.py starts them). Imports only
the light audit_hash module (and asyncpg for PostgreSQL), so a spawned worker is walking within a fraction of a
second."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from dataclasses import dataclass

from server import audit_hash

BATCH = 20_000
_RANGE = f'SELECT {", ".join(audit_hash.COLUMNS)} FROM "audit_event" WHERE "seq" >= $1 AND "seq" < $2 ORDER BY "seq"'  # noqa: S608


@dataclass(frozen=True)
class Ranged:
    """What one worker found in [start, end)."""

    start: int
    end: int
    next_seq: int
    last_hash: str | None
    first_prev: str | None
    bad_seq: int | None
    problem: str


async def _postgres_walk(url: str, key: bytes, at: audit_hash.Walk, end: int) -> None:
    import asyncpg  # noqa: PLC0415 - only the PostgreSQL workers need it

    mac = audit_hash.Hasher(key)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction(readonly=True):
            cursor = conn.cursor(_RANGE, at.next_seq, end, prefetch=BATCH)
            rows: list = []
            async for row in cursor:
                rows.append(row)
                if len(rows) == BATCH:
                    if not audit_hash.walk_rows(mac, rows, at):
                        return
                    rows = []
            audit_hash.walk_rows(mac, rows, at)
    finally:
        await conn.close()


def walk_range(url: str, key: bytes, start: int, end: int) -> Ranged:
    """Check seq in [start, end) on its own connection."""
    at = audit_hash.Walk(start, None)
    if url.startswith("sqlite:"):
        with closing(sqlite3.connect(f"file:{url.split('://', 1)[1]}?mode=ro", uri=True)) as db:
            audit_hash.walk_sqlite(db, key, at, end, BATCH)
    else:
        asyncio.run(_postgres_walk(url, key, at, end))
    return Ranged(start, end, at.next_seq, at.prev_hash, at.first_prev, at.bad_seq, at.problem)
