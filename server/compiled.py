"""Compiled queries: a Tortoise query built once, then run many times with new values.

Tortoise builds every query through pypika on each call, ~0.5–1 ms of Python per statement (benchmarks/RESULTS.md).
A hot query is written as ordinary Tortoise code in a function of named parameters:

    ENTRIES = compiled.query(lambda patient_id, before: JournalEntry.filter(patient_id=patient_id, id__lt=before)
                             .order_by("-id").limit(20).values_list("id", "title"))
    rows = await ENTRIES.all(patient_id=3, before=120)

On first use (per dialect and per *shape* of the values) the function is called once with probe values, Tortoise
builds its parameterised SQL, and each probe is found in the parameter list; later calls send that SQL with the new
values in the probes' places through the same connection (the request's transaction, if any) — no pypika.

Shapes, decided per call from the values given:
- int, float, str, date and datetime values are parameters (datetimes go in as Tortoise sends them: naive ones made
  aware in the default time zone; the driver adapts them exactly as for an ordinary query);
- `None` is compiled into the statement (Tortoise writes `field=None` as `IS NULL`, which no parameter can express),
  so a value that may be None compiles once for None and once for a value;
- a list, tuple or set (`field__in=ids`) is one parameter per item, compiled once per length;
- anything else (bool, enum members, …) is compiled in as the value itself, once per distinct value, so only pass
  values with a few possible values that way.
A value a lookup rewrites (`__icontains` wraps it in `%…%`, `__iexact` lowers it) is not found among the parameters
and compiling fails loudly; give such a query the already-rewritten value or leave it as a plain queryset.

What comes back is what awaiting the query would give: models (with select_related), dicts for `.values()`, tuples
for `.values_list()`, one value for `flat=True`, a count, a bool for `.exists()`, rows changed for `.update()`.
`.all()` returns the list, `.first()` its first item or None. `insert(Model, fields)` compiles a plain INSERT.

Two terms for what Tortoise has no word for, usable in `.filter()`, `.annotate()` and `Subquery`: `column(Model,
field)` is a column named with its table, so inside a subquery it can mean the enclosing query's row (a correlated
subquery: `Subquery(CareTeam.filter(patient_id=column(Infusion, "patient_id")).values("id"))`), and `text(...)` joins
constants and columns into text (`text("intention:", column(Booking, "id"))`; SQLite before 3.44 has no CONCAT).

Several row-returning compiled queries can be answered by one statement: server/compiled_together.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from pypika_tortoise.context import SqlContext
from pypika_tortoise.terms import Term, ValueWrapper
from pypika_tortoise.utils import format_alias_sql
from tortoise import connections, timezone
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.queryset import (
    AwaitableQuery,
    CountQuery,
    DeleteQuery,
    ExistsQuery,
    QuerySet,
    UpdateQuery,
    ValuesListQuery,
    ValuesQuery,
)

T = TypeVar("T")

MAX_PLANS = 128  # per query: shapes kept compiled
_PROBE_BASE = -1_000_000_000  # probe ints sit far below any id, count or minute this app stores
_PROBE_EPOCH = dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC)


class CompileError(Exception):
    """A query cannot be compiled as written (a parameter Tortoise rewrites, or a query kind not supported)."""


def _probe(kind: type, n: int) -> Any:
    if kind is int:
        return _PROBE_BASE - n
    if kind is float:
        return _PROBE_BASE - n - 0.25
    if kind is str:
        return f"\x01p{n}\x01"
    if kind is dt.datetime:
        return _PROBE_EPOCH + dt.timedelta(microseconds=n + 1)
    if kind is dt.date:
        return dt.date(1901, 2, 3) + dt.timedelta(days=n)
    raise CompileError(f"no probe for {kind.__name__}")  # pragma: no cover


_PROBED = (int, float, str, dt.datetime, dt.date)


def _kind(value: Any) -> type | None:
    """The probe type for a parameter value, or None if the value is compiled in."""
    if value is None or isinstance(value, (bool, Enum)):
        return None
    for kind in _PROBED:
        if type(value) is kind or (kind is not str and isinstance(value, kind)):
            return kind
    return None


def _shape(values: dict[str, Any]) -> tuple:
    shape: list[tuple] = []
    for name in sorted(values):
        value = values[name]
        if isinstance(value, (list, tuple, set, frozenset)):
            items = list(value)
            kinds = tuple(_kind(item) for item in items)
            if any(kind is None for kind in kinds):
                shape.append((name, "baked", tuple(items)))
            else:
                shape.append((name, "list", kinds))
        elif (kind := _kind(value)) is None:
            shape.append((name, "baked", value))
        else:
            shape.append((name, "one", kind))
    return tuple(shape)


def _db_value(value: Any) -> Any:
    """A new value as Tortoise would put it among a query's parameters."""
    if isinstance(value, dt.datetime) and timezone.get_use_tz() and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@dataclass(frozen=True)
class _Plan:
    sql: str
    slots: tuple[tuple[str, int | None] | tuple[None, Any], ...]  # (name, item index or None) or (None, constant)
    read: Callable[[BaseDBAsyncClient, str, list[Any]], Any]
    columns: tuple[tuple[str, Any], ...] = ()  # each selected column's name and field (None if not a field's)

    def values(self, given: dict[str, Any]) -> list[Any]:
        out = []
        for name, at in self.slots:
            if name is None:
                out.append(at)
            elif at is None:
                out.append(_db_value(given[name]))
            else:
                out.append(_db_value(list(given[name])[at]))
        return out


def _reader(query: AwaitableQuery) -> Callable[[BaseDBAsyncClient, str, list[Any]], Any]:
    """How to turn the statement's result into what awaiting `query` gives, with the per-column conversions worked
    out now, once."""
    if isinstance(query, ValuesListQuery):
        columns = [(key, query.resolve_to_python_value(query.model, name)) for key, name in query.fields.items()]
        flat = query._flat

        async def values_list(conn: BaseDBAsyncClient, sql: str, values: list[Any]) -> list[Any]:
            _, rows = await conn.execute_query(sql, values)
            if flat:
                key, func = columns[0]
                return [func(row[key]) for row in rows]
            return [tuple(func(row[key]) for key, func in columns) for row in rows]

        return values_list
    if isinstance(query, ValuesQuery):
        fields = query._fields_for_select.items()
        converters = [(alias, query.resolve_to_python_value(query.model, name)) for alias, name in fields]

        async def values_dicts(conn: BaseDBAsyncClient, sql: str, values: list[Any]) -> list[dict[str, Any]]:
            rows = await conn.execute_query_dict(sql, values)
            for row in rows:
                for alias, func in converters:
                    row[alias] = func(row[alias])
            return rows

        return values_dicts
    if isinstance(query, QuerySet):
        if query._prefetch_map or query._prefetch_queries:
            raise CompileError("prefetch_related runs further queries; use select_related or a second query")
        model, related, custom = query.model, list(query._select_related_idx), list(query._annotations)

        async def models(conn: BaseDBAsyncClient, sql: str, values: list[Any]) -> list[Model]:
            executor = conn.executor_class(model=model, db=conn, select_related_idx=related)  # type: ignore[arg-type]
            return await executor.execute_select(sql, values, custom_fields=custom)

        return models
    if isinstance(query, (UpdateQuery, DeleteQuery)):

        async def changed(conn: BaseDBAsyncClient, sql: str, values: list[Any]) -> int:
            return (await conn.execute_query(sql, values))[0]

        return changed
    if isinstance(query, ExistsQuery):

        async def exists(conn: BaseDBAsyncClient, sql: str, values: list[Any]) -> bool:
            return bool((await conn.execute_query(sql, values))[0])

        return exists
    if isinstance(query, CountQuery):
        if query._offset or query._limit is not None:
            raise CompileError("count() with limit/offset is not compiled")

        async def count(conn: BaseDBAsyncClient, sql: str, values: list[Any]) -> int:
            _, rows = await conn.execute_query(sql, values)
            return int(next(iter(dict(rows[0]).values()))) if rows else 0

        return count
    raise CompileError(f"{type(query).__name__} is not compiled")


def _field_at(model: type[Model], path: str) -> Any:
    """The field a `values()` name such as "patient__user__name" reads, or None."""
    *hops, name = path.split("__")
    for hop in hops:
        field = model._meta.fields_map.get(hop)
        model = getattr(field, "related_model", None)  # type: ignore[assignment]
        if model is None:
            return None
    field = model._meta.fields_map.get(name)
    return None if getattr(field, "related_model", None) else field


def _columns(query: AwaitableQuery) -> tuple[tuple[str, Any], ...]:
    """The names of the columns a SELECT gives and the field each holds (for reading them back from JSON)."""
    if not isinstance(query, QuerySet | ValuesQuery | ValuesListQuery):
        return ()
    names = [term.alias or term.name for term in query.query._selects]
    if isinstance(query, ValuesListQuery | ValuesQuery):
        paths = query.fields if isinstance(query, ValuesListQuery) else query._fields_for_select
        return tuple((name, _field_at(query.model, paths[name]) if name in paths else None) for name in names)
    models = [(entry[0], entry[1]) for entry in query._select_related_idx] or [(query.model, len(names))]
    out: list[tuple[str, Any]] = []
    for model, count in models:
        for name in names[len(out) : len(out) + count]:
            column = name.rsplit(".", 1)[-1]
            field_name = model._meta.fields_db_projection_reverse.get(column, column)
            out.append((name, model._meta.fields_map.get(field_name)))
    return tuple(out) + tuple((name, None) for name in names[len(out) :])  # annotations


class Compiled(Generic[T]):
    """One hot query; see the module docstring."""

    def __init__(self, build: Callable[..., Any]) -> None:
        self._build = build
        self._plans: dict[tuple, _Plan] = {}

    def _compile(self, conn: BaseDBAsyncClient, given: dict[str, Any], shape: tuple) -> _Plan:
        probes: dict[str, Any] = {}
        where: dict[tuple[type, Any], tuple[str, int | None]] = {}
        n = 0
        for name, how, kind in shape:
            if how == "baked":
                probes[name] = given[name]
            elif how == "one":
                probes[name] = _probe(kind, n)
                where[(kind, probes[name])] = (name, None)
                n += 1
            else:
                items = []
                for index, item_kind in enumerate(kind):
                    items.append(_probe(item_kind, n))
                    where[(item_kind, items[-1])] = (name, index)
                    n += 1
                probes[name] = items
        query = self._build(**probes)
        if not isinstance(query, AwaitableQuery):
            raise CompileError(f"the builder returned {type(query).__name__}, not a Tortoise query")
        query._db = conn
        query._make_query()
        sql, params = query.query.get_parameterized_sql()
        slots: list[tuple[str, int | None] | tuple[None, Any]] = []
        found = set()
        for value in params:
            kind = _kind(value)
            slot = where.get((kind, value)) if kind is not None else None
            if slot is None:
                slots.append((None, value))
            else:
                slots.append(slot)
                found.add(slot)
        missing = sorted({slot[0] for slot in where.values() if slot not in found})
        if missing:
            raise CompileError(f"parameters {missing} are rewritten by their lookup or unused; cannot compile")
        return _Plan(sql, tuple(slots), _reader(query), _columns(query))

    def _plan(self, conn: BaseDBAsyncClient, given: dict[str, Any]) -> _Plan:
        shape = (conn.capabilities.dialect, _shape(given))
        plan = self._plans.get(shape)
        if plan is None:
            plan = self._compile(conn, given, shape[1])
            if len(self._plans) < MAX_PLANS:  # beyond that (many list lengths or baked values) build each time
                self._plans[shape] = plan
        return plan

    def sql(self, conn: BaseDBAsyncClient | None = None, **given: Any) -> str:
        """The statement these values run (for tests and EXPLAIN)."""
        return self._plan(conn or connections.get("default"), given).sql

    async def run(self, conn: BaseDBAsyncClient | None = None, **given: Any) -> Any:
        """What awaiting the built query would give."""
        conn = conn or connections.get("default")
        plan = self._plan(conn, given)
        return await plan.read(conn, plan.sql, plan.values(given))

    async def all(self, conn: BaseDBAsyncClient | None = None, **given: Any) -> list[T]:
        return await self.run(conn, **given)

    async def first(self, conn: BaseDBAsyncClient | None = None, **given: Any) -> T | None:
        rows = await self.run(conn, **given)
        return rows[0] if rows else None


def query(build: Callable[..., Any]) -> Compiled[Any]:
    """A compiled query from a function of named parameters returning a Tortoise query (see the module docstring)."""
    return Compiled(build)


class Insert:
    """A compiled INSERT of the given fields of a model (the statement Tortoise itself would write), for append-only
    tables written on every request; values go through each field's own conversion (JSON fields, datetimes)."""

    def __init__(self, model: type[Model], fields: Sequence[str]) -> None:
        self.model = model
        self.fields = tuple(fields)
        self._sql: dict[str, str] = {}

    def _statement(self, conn: BaseDBAsyncClient) -> str:
        dialect = conn.capabilities.dialect
        if dialect not in self._sql:
            executor = conn.executor_class(model=self.model, db=conn)
            columns = [self.model._meta.fields_db_projection[name] for name in self.fields]
            self._sql[dialect] = str(executor._prepare_insert_statement(columns, has_generated=False))
        return self._sql[dialect]

    def _values(self, row: Sequence[Any]) -> list[Any]:
        fields_map = self.model._meta.fields_map
        return [fields_map[name].to_db_value(value, self.model) for name, value in zip(self.fields, row, strict=True)]

    async def run(self, rows: Sequence[Sequence[Any]], conn: BaseDBAsyncClient | None = None) -> None:
        conn = conn or connections.get("default")
        sql = self._statement(conn)
        if len(rows) == 1:
            await conn.execute_query(sql, self._values(rows[0]))
        elif rows:
            await conn.execute_many(sql, [self._values(row) for row in rows])


class _Column(Term):
    def __init__(self, table: str, column: str) -> None:
        super().__init__()
        self.table, self.column = table, column

    def get_sql(self, ctx: SqlContext) -> str:
        q = ctx.quote_char
        return format_alias_sql(f"{q}{self.table}{q}.{q}{self.column}{q}", self.alias, ctx)


def column(model: type[Model], field: str) -> Term:
    """A column of the model's (unaliased) table, always written with the table's name: in a subquery, a column of
    the enclosing query's row (see the module docstring)."""
    return _Column(model._meta.db_table, model._meta.fields_db_projection[field])


class _Text(Term):
    def __init__(self, parts: Sequence[Any]) -> None:
        super().__init__()
        self.parts = [part if isinstance(part, Term) else ValueWrapper(part) for part in parts]

    def get_sql(self, ctx: SqlContext) -> str:
        inner = ctx.copy(with_alias=False)
        sql = " || ".join(f"CAST({part.get_sql(inner)} AS TEXT)" for part in self.parts)
        return format_alias_sql(f"({sql})", self.alias, ctx)


def text(*parts: Any) -> Term:
    """Constants and columns (`column(...)` terms) joined into text, each cast to text."""
    return _Text(parts)
