"""Tortoise's SQLite engine whose transactions start with BEGIN IMMEDIATE.

A deferred BEGIN reads first and asks for the write lock at its first write:
if another connection (the CLI next to the server, a backup) wrote in
between, SQLite answers "database is locked" at once, without waiting for
``busy_timeout``. BEGIN IMMEDIATE takes the write lock at the start, where
waiting is possible. Tortoise has no setting for it (tortoise-orm#1675);
``backend.db`` names this module as the engine. (Tortoise's migrations pick
their SQL dialect from the client's module name: it must contain "sqlite".)
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections
from tortoise.exceptions import OperationalError


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        await self._connection.commit()
        try:
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:  # still locked after busy_timeout
            raise OperationalError(error) from error


class _ImmediateTransactionContext(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            # Tortoise's own context would keep the connection's lock for ever here.
            self._trxlock.release()
            raise
        return self.connection


class SqliteImmediateClient(SqliteClient):
    """Tortoise's SQLite client whose transactions start with BEGIN IMMEDIATE."""

    def _in_transaction(self) -> _ImmediateTransactionContext:
        return _ImmediateTransactionContext(_ImmediateTransaction(self), self._lock)


#: Read by Tortoise when the configuration names this module as the engine.
client_class = SqliteImmediateClient
