"""Announcing an event from a write, delivered only if the write commits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from backend.realtime.events import Event
from backend.realtime.hub import hub

log = logging.getLogger("portail.realtime")

#: The PostgreSQL channel every worker LISTENs on.
CHANNEL = "portail_live"

_AFTER_COMMIT = "_portail_after_commit"


async def announce(event: Event) -> None:
    """Tell every watcher of ``event.topic``, in every process, once the current transaction commits
    (at once outside a transaction). Call it next to the write, inside its transaction."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        # NOTIFY is transactional: PostgreSQL delivers it at COMMIT, never after a ROLLBACK.
        await connection.execute_query("SELECT pg_notify($1, $2)", [CHANNEL, event.encode()])
        return
    transaction = _outermost(connection)
    if transaction is None:
        hub.dispatch(event)
    else:
        _after_commit(transaction, lambda: hub.dispatch(event))


def _outermost(connection: Any) -> Any | None:
    """The top transaction the connection belongs to (savepoints included), or None."""
    if not isinstance(connection, TransactionalDBClient):
        return None
    while isinstance(getattr(connection, "_parent", None), TransactionalDBClient):
        connection = connection._parent
    return connection


def _after_commit(transaction: Any, callback: Callable[[], None]) -> None:
    """Run ``callback`` after the transaction's COMMIT (never after a rollback).

    Tortoise has no commit hook: the transaction object's ``commit`` is wrapped, once.
    """
    pending: list[Callable[[], None]] | None = getattr(transaction, _AFTER_COMMIT, None)
    if pending is None:
        pending = []
        commit = transaction.commit

        async def commit_then_announce() -> None:
            await commit()
            for run in pending:
                try:
                    run()
                except Exception:  # an announcement never undoes the write
                    log.exception("live event after commit failed")

        setattr(transaction, _AFTER_COMMIT, pending)
        transaction.commit = commit_then_announce
    pending.append(callback)
