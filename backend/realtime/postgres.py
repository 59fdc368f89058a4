"""One dedicated PostgreSQL connection per worker that LISTENs and feeds the hub."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

from backend.realtime.events import Event
from backend.realtime.hub import Hub, hub
from backend.realtime.publish import CHANNEL

log = logging.getLogger("portail.realtime")

#: How long the worker waits for its first LISTEN at start-up before serving anyway.
READY_TIMEOUT = 10.0
#: A quiet connection is checked this often (a half-open TCP connection would otherwise go unnoticed).
HEARTBEAT_SECONDS = 30.0
#: Reconnection delay: doubles from the first value up to the second.
BACKOFF = (0.5, 30.0)


def _connect_arguments(database_url: str) -> dict[str, Any]:
    credentials = expand_db_url(database_url)["credentials"]
    arguments = {key: credentials.get(key) for key in ("host", "port", "user", "password", "database")}
    if credentials.get("ssl") is not None:
        arguments["ssl"] = credentials["ssl"]
    return arguments


class PostgresListener:
    """LISTEN on :data:`CHANNEL` and hand every notification to the hub; reconnect when the
    connection drops, then tell every watcher to re-check (notifications may have been missed)."""

    def __init__(self, database_url: str, target: Hub = hub, channel: str = CHANNEL) -> None:
        self.arguments = _connect_arguments(database_url)
        self.hub = target
        self.channel = channel
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="portail-live-listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), READY_TIMEOUT)
        if not self.ready.is_set():
            log.error("live updates: no LISTEN connection yet; retrying in the background")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _on_notification(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        event = Event.decode(payload)
        if event is not None:
            self.hub.dispatch(event)

    async def _run(self) -> None:
        import asyncpg

        delay = BACKOFF[0]
        connected_once = False
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(
                    **self.arguments,
                    server_settings={"application_name": f"portail-live-{os.getpid()}"},
                )
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
                await connection.add_listener(self.channel, self._on_notification)
                if connected_once:
                    log.info("live updates: LISTEN connection restored")
                    self.hub.resync_all()
                connected_once = True
                self.ready.set()
                delay = BACKOFF[0]
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), HEARTBEAT_SECONDS)
                    if not lost.is_set():
                        await asyncio.wait_for(connection.fetchval("SELECT 1"), HEARTBEAT_SECONDS)
                log.warning("live updates: LISTEN connection lost")
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("live updates: LISTEN connection failed: %s", error)
            finally:
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.shield(connection.close(timeout=2))
            # Whatever was notified while the connection was down is lost: watchers re-check.
            self.hub.resync_all()
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF[1])


@contextlib.asynccontextmanager
async def running(database_url: str) -> AsyncIterator[PostgresListener | None]:
    """For the app's lifespan: the worker's listener on PostgreSQL; nothing to run on SQLite, where
    writers hand their events to the hub of the one process themselves."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    listener = PostgresListener(database_url)
    await listener.start()
    try:
        yield listener
    finally:
        await listener.stop()
