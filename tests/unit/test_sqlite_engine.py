"""The SQLite engine's BEGIN IMMEDIATE: a transaction waits for another process's write lock, and one
that still finds it taken after busy_timeout fails cleanly (a lost race, retried by the mutations)
without keeping the connection's lock for ever."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext
from tortoise.exceptions import OperationalError

from backend.services.tx import lost_race
from backend.sqlite_engine import SqliteImmediateClient


@contextlib.asynccontextmanager
async def engine(tmp_path: Path) -> AsyncIterator[SqliteImmediateClient]:
    async with TortoiseContext():
        connection = SqliteImmediateClient(
            file_path=str(tmp_path / "moteur.sqlite3"), connection_name="moteur", busy_timeout=200
        )
        await connection.create_connection(with_db=True)
        await connection.execute_script("CREATE TABLE t (n INTEGER)")
        try:
            yield connection
        finally:
            await connection.close()


def _outside(client: SqliteImmediateClient) -> sqlite3.Connection:
    other = sqlite3.connect(client.filename, isolation_level=None, timeout=5)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    return other


async def test_a_transaction_takes_the_write_lock_when_it_begins(tmp_path: Path) -> None:
    async with engine(tmp_path) as client:
        async with client._in_transaction() as tx:
            await tx.execute_query("SELECT count(*) FROM t")  # a read first: the lock is held all the same
            other = sqlite3.connect(client.filename, isolation_level=None, timeout=0)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
            await tx.execute_insert("INSERT INTO t VALUES (?)", [1])


async def test_a_transaction_waits_for_another_writer(tmp_path: Path) -> None:
    async with engine(tmp_path) as client:
        other = _outside(client)
        asyncio.get_running_loop().call_later(0.1, lambda: (other.execute("COMMIT"), other.close()))
        async with client._in_transaction() as tx:  # waits ~0.1 s, within busy_timeout
            await tx.execute_insert("INSERT INTO t VALUES (?)", [1])
        assert await client.execute_query_dict("SELECT n FROM t") == [{"n": 1}]


async def test_still_locked_after_the_timeout_is_a_lost_race_that_leaves_the_connection_usable(
    tmp_path: Path,
) -> None:
    async with engine(tmp_path) as client:
        other = _outside(client)
        with pytest.raises(OperationalError) as refused:
            async with client._in_transaction():
                pass
        assert lost_race(refused.value)
        other.execute("ROLLBACK")
        other.close()
        async with client._in_transaction() as tx:  # the connection's own lock was given back
            await tx.execute_insert("INSERT INTO t VALUES (?)", [2])
        assert await client.execute_query_dict("SELECT n FROM t") == [{"n": 2}]
