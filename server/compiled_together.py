"""Several compiled queries (server/compiled.py) answered by one statement: each one's rows come back as a JSON
array in one column of a single row, and are read into exactly what the query alone would give (models with their
select_related, dicts, tuples). A page's panel that reads four short lists makes one round trip instead of four:

    ESSENTIALS = compiled_together.together(MEDICATIONS, ALLERGIES, DIAGNOSES)
    medications, allergies, diagnoses = await ESSENTIALS.run(patient_id=3)

Each query gets the named values its function takes. A `Batch` gathers what the parts of one page want (its
service's lists, other rooms' panels: server/panels.py) and runs them as one such statement. Only row-returning
queries (models, `.values()`, `.values_list()`) can be put together. Each list keeps its query's ORDER BY: the rows
are aggregated straight from the ordered subquery (SQLite's json_group_array and PostgreSQL's json_agg both take
them in that order). On PostgreSQL each value comes back as JSON renders it (timestamps and dates as text, numbers
as decimals) and goes through its field's own conversion, so the result is what the driver would have given."""

from __future__ import annotations

import inspect
import json
import re
from decimal import Decimal
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields.data import JSONField

from server.compiled import MAX_PLANS, Compiled, CompileError, _Plan, _shape

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
        givens = [self._given(n, given) for n in range(len(self.parts))]
        return self._statement(conn, [part._plan(conn, g) for part, g in zip(self.parts, givens, strict=True)])

    def _given(self, n: int, given: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in given.items() if name in self._takes[n]}

    async def run(self, conn: BaseDBAsyncClient | None = None, **given: Any) -> list[Any]:
        """Each query's result, in the order the queries were given; each gets the values its function takes."""
        return await self.run_each([self._given(n, given) for n in range(len(self.parts))], conn)

    async def run_each(self, givens: list[dict[str, Any]], conn: BaseDBAsyncClient | None = None) -> list[Any]:
        """Each query's result for its own values (`givens[n]` for the n-th query)."""
        conn = conn or connections.get("default")
        plans = [part._plan(conn, given) for part, given in zip(self.parts, givens, strict=True)]
        key = (conn.capabilities.dialect, tuple(_shape(given) for given in givens))
        sql = self._sql.get(key)
        if sql is None:
            sql = self._statement(conn, plans)
            if len(self._sql) < MAX_PLANS:
                self._sql[key] = sql
        values = [value for plan, given in zip(plans, givens, strict=True) for value in plan.values(given)]
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


_TOGETHER: dict[tuple[Compiled[Any], ...], Together] = {}


class Batch:
    """Reads wanted by several parts of one page (its service and other rooms' panels), run as one statement:

    batch = Batch()
    mine = batch.want(COURSES, patient_id=3)
    ...                                   # others want theirs
    await batch.run()
    courses = batch.got(mine)
    """

    def __init__(self) -> None:
        self._wanted: list[tuple[Compiled[Any], dict[str, Any]]] = []
        self._got: list[Any] | None = None

    def want(self, query: Compiled[Any], **given: Any) -> int:
        """Ask for a compiled query's result (before `run`); the number is the handle `got` takes."""
        if self._got is not None:
            raise RuntimeError("this batch has run")
        self._wanted.append((query, given))
        return len(self._wanted) - 1

    async def run(self, conn: BaseDBAsyncClient | None = None) -> None:
        parts = tuple(query for query, _ in self._wanted)
        if not parts:
            self._got = []
            return
        if len(parts) == 1:
            self._got = [await parts[0].run(conn, **self._wanted[0][1])]
            return
        together = _TOGETHER.get(parts)
        if together is None:
            together = Together(*parts)
            if len(_TOGETHER) < MAX_PLANS:
                _TOGETHER[parts] = together
        self._got = await together.run_each([given for _, given in self._wanted], conn)

    def got(self, handle: int) -> Any:
        """What the wanted query gives (as awaiting it alone would)."""
        if self._got is None:
            raise RuntimeError("the batch has not run")
        return self._got[handle]

    def first(self, handle: int) -> Any:
        """The first row of what the wanted query gives, or None."""
        rows = self.got(handle)
        return rows[0] if rows else None


def together(*parts: Compiled[Any]) -> Together:
    """One statement answering the given compiled queries (see the module docstring)."""
    return Together(*parts)
