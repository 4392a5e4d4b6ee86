"""Statements Tortoise cannot write: advisory and row locks, window functions, the outbox claim and the audit walk.

Hot queries Tortoise can write go through server/compiled.py instead (built once, run with new values). Statements
here are written once with `?` placeholders and numbered (`$1`, `$2`, …) for PostgreSQL; rows come back as dicts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

M = TypeVar("M", bound=Model)


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


@cache
def numbered(text: str) -> str:
    """`?` placeholders as PostgreSQL's `$1`, `$2`, …."""
    parts = text.split("?")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


def statement(conn: BaseDBAsyncClient, text: str) -> str:
    return numbered(text) if is_postgres(conn) else text


def placeholders(count: int) -> str:
    return ", ".join("?" * count)


def value(conn: BaseDBAsyncClient, item: Any) -> Any:
    """A Python value as the driver takes it, stored exactly as Tortoise stores it for the same field."""
    if isinstance(item, dict):
        return json.dumps(item, separators=(",", ":"), ensure_ascii=False)
    if isinstance(item, datetime) and not is_postgres(conn):
        return str(item)
    return item


async def fetch(text: str, params: Sequence[Any] = (), conn: BaseDBAsyncClient | None = None) -> list[dict]:
    conn = conn or connection()
    return await conn.execute_query_dict(statement(conn, text), [value(conn, p) for p in params])


async def execute(text: str, params: Sequence[Any] = (), conn: BaseDBAsyncClient | None = None) -> None:
    conn = conn or connection()
    await conn.execute_query(statement(conn, text), [value(conn, p) for p in params])
