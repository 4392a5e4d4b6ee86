"""Several compiled queries (server/compiled.py) answered by one statement: each one's rows come back as a JSON
array in one column of a single row, and are read into exactly what the query alone would give (models with their
select_related, dicts, tuples). A page's panel that reads four short lists makes one round trip instead of four:

    ESSENTIALS = compiled_together.together(MEDICATIONS, ALLERGIES, DIAGNOSES)
    medications, allergies, diagnoses = await ESSENTIALS.run(patient_id=3)

Each query gets the named values its function takes. Only row-returning queries (models, `.values()`,
`.values_list()`) can be put together. Each list keeps its query's ORDER BY: the rows are aggregated straight from
the ordered subquery (SQLite's json_group_array and PostgreSQL's json_agg both take them in that order)."""

from __future__ import annotations

import inspect
import json
import re
from decimal import Decimal
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields.data import JSONField

from server.compiled import Compiled, CompileError, _Plan, _shape

_MAX_COLUMNS = 100  # PostgreSQL's json_build_array takes at most 100 arguments
_NUMBERED = re.compile(r"\$(\d+)")


class _Rows:
    """Stands in for the connection when a query's own reader turns rows into its result."""

    def __init__(self, conn: BaseDBAsyncClient, rows: list[dict[str, Any]]) -> None:
        self.conn, self.rows = conn, rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)

    async def execute_query(self, _sql: str, _values: list[Any]) -> tuple[int, list[dict[str, Any]]]:
        return len(self.rows), self.rows

    async def execute_query_dict(self, _sql: str, _values: list[Any]) -> list[dict[str, Any]]:
        return self.rows


def _from_json(field: Any) -> Any:
    """How PostgreSQL's JSON rendering of a column becomes what its driver would give (SQLite's is the same)."""
    if field is None:
        return None
    if isinstance(field, JSONField):
        return json.dumps
    return field.to_python_value


class Together:
    """See the module docstring."""

    def __init__(self, *parts: Compiled[Any]) -> None:
        self.parts = parts
        self._takes = [set(inspect.signature(part._build).parameters) for part in parts]
        self._sql: dict[tuple, str] = {}

    def _statement(self, conn: BaseDBAsyncClient, plans: list[_Plan]) -> str:
        postgres = conn.capabilities.dialect == "postgres"
        columns, offset = [], 0
        for n, plan in enumerate(plans):
            if not plan.columns or len(plan.columns) > _MAX_COLUMNS:
                raise CompileError("only row-returning queries of at most 100 columns can be put together")
            sql = plan.sql
            if postgres:
                sql = _NUMBERED.sub(lambda m, at=offset: f"${int(m.group(1)) + at}", sql)  # type: ignore[misc]
            offset += len(plan.slots)
            row = ",".join(f's{n}."{name}"' for name, _ in plan.columns)
            agg = f"json_agg(json_build_array({row}))" if postgres else f"json_group_array(json_array({row}))"
            columns.append(f'(SELECT {agg} FROM ({sql}) s{n}) "{n}"')  # noqa: S608 (Tortoise-built SQL and its own column names)
        return "SELECT " + ",".join(columns)

    def sql(self, conn: BaseDBAsyncClient | None = None, **given: Any) -> str:
        """The one statement these values run (for tests and EXPLAIN)."""
        conn = conn or connections.get("default")
        return self._statement(conn, self._plans(conn, given))

    def _plans(self, conn: BaseDBAsyncClient, given: dict[str, Any]) -> list[_Plan]:
        return [part._plan(conn, self._given(n, given)) for n, part in enumerate(self.parts)]

    def _given(self, n: int, given: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in given.items() if name in self._takes[n]}

    async def run(self, conn: BaseDBAsyncClient | None = None, **given: Any) -> list[Any]:
        """Each query's result, in the order the queries were given."""
        conn = conn or connections.get("default")
        plans = self._plans(conn, given)
        key = (conn.capabilities.dialect, tuple(_shape(self._given(n, given)) for n in range(len(plans))))
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = self._statement(conn, plans)
        values = [value for n, plan in enumerate(plans) for value in plan.values(self._given(n, given))]
        _, rows = await conn.execute_query(sql, values)
        postgres = conn.capabilities.dialect == "postgres"
        parse_float = Decimal if postgres else float
        results = []
        for n, plan in enumerate(plans):
            raw = dict(rows[0])[str(n)]
            items = (json.loads(raw, parse_float=parse_float) if isinstance(raw, str) else raw) or []
            names = [name for name, _ in plan.columns]
            if postgres:
                convert = [_from_json(field) for _, field in plan.columns]
                items = [
                    [v if v is None or f is None else f(v) for v, f in zip(item, convert, strict=True)]
                    for item in items
                ]
            found = _Rows(conn, [dict(zip(names, item, strict=True)) for item in items])
            results.append(await plan.read(found, "", []))  # type: ignore[arg-type]
        return results


def together(*parts: Compiled[Any]) -> Together:
    """One statement answering the given compiled queries (see the module docstring)."""
    return Together(*parts)
