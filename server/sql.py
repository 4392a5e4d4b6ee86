"""Hand-written statements for the few hottest paths: the session lookup on every request and audit appends.

Tortoise builds each query through pypika and spends ~0.5–1 ms of Python on it; a fixed statement sent through the
same connection costs ~0.1 ms (benchmarks/RESULTS.md). Statements are written once with `?` placeholders and
numbered (`$1`, `$2`, …) for PostgreSQL. Rows come back as dicts; `instance()` turns one into a model object the
way Tortoise itself does after a query, so templates and services see ordinary models.
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


async def execute_many(text: str, rows: Sequence[Sequence[Any]], conn: BaseDBAsyncClient) -> None:
    await conn.execute_many(statement(conn, text), [[value(conn, p) for p in row] for row in rows])


def columns(model: type[Model], alias: str, prefix: str = "") -> str:
    """`alias."col" AS "prefixcol", …` for every column of a model (for a join that builds several models); call it
    after Tortoise.init, which adds the foreign-key columns to the metadata."""
    return ", ".join(f'{alias}."{column}" AS "{prefix}{column}"' for column in model._meta.db_fields)


def instance(model: type[M], row: dict[str, Any], prefix: str = "") -> M:
    """A model object from one row (its columns, optionally prefixed), converted as Tortoise converts them."""
    if prefix:
        row = {name: row[prefix + name] for name in model._meta.db_fields}
    return model._init_from_db(**row)
