"""The audit chain's head: where the next event is chained on (server/audit.py builds the events and their hashes).

An append runs inside its caller's transaction, which holds the lock: BEGIN IMMEDIATE on SQLite, the head row's lock
on PostgreSQL. Usually two statements: move the head from where this process last saw it (which also locks it on
PostgreSQL), then insert; if the head had moved (another worker, a rolled-back transaction), read it, locked, and
chain from there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server import compiled
from server.models import AuditChainHead

# Given the head (seq, hash): the rows to insert, and the new head.
Chain = Callable[[int, str], tuple[list[list[Any]], int, str]]

# Tortoise leaves FOR UPDATE out on SQLite, whose BEGIN IMMEDIATE already serialises writers.
_HEAD = compiled.query(lambda: AuditChainHead.filter(id=1).select_for_update())
_MOVE = compiled.query(lambda seq, digest: AuditChainHead.filter(id=1).update(seq=seq, hash=digest))
_MOVE_FROM = compiled.query(
    lambda seq, digest, was_seq, was_hash: AuditChainHead.filter(id=1, seq=was_seq, hash=was_hash).update(
        seq=seq, hash=digest
    )
)


@dataclass
class _Known:
    """The head as this process last wrote or read it. Only a guess: an append from it moves the head only if the
    head is still there."""

    head: tuple[int, str] | None = None


_known = _Known()


async def append(conn: BaseDBAsyncClient, chain: Chain, insert: compiled.Insert) -> None:
    if _known.head is not None:
        was_seq, was_hash = _known.head
        values, seq, prev = chain(was_seq, was_hash)
        if await _MOVE_FROM.run(conn, seq=seq, digest=prev, was_seq=was_seq, was_hash=was_hash) == 1:
            await insert.run(values, conn)
            _known.head = (seq, prev)
            return
    head = (await _HEAD.all(conn))[0]
    values, seq, prev = chain(int(head.seq), head.hash)
    await insert.run(values, conn)
    await _MOVE.run(conn, seq=seq, digest=prev)
    _known.head = (seq, prev)


async def remember() -> None:
    """Read the head and take it as this process's guess: for code that moved the head itself rather than through
    an append (test helpers bulk-loading events), so the next append is the usual two statements."""
    head = (await _HEAD.all())[0]
    _known.head = (int(head.seq), head.hash)
