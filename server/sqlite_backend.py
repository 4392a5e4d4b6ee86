"""SQLite engine whose transactions start with BEGIN IMMEDIATE.

Tortoise opens transactions with a plain (deferred) BEGIN. With several worker processes on one WAL database, a
deferred transaction that reads and then writes can fail with SQLITE_BUSY_SNAPSHOT instead of waiting on
busy_timeout. Taking the write lock up front makes every transaction wait its turn, which is also what serialises
appends to the audit chain on SQLite (server/audit.py).
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = ImmediateSqliteClient
