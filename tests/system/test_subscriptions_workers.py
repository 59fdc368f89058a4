"""Live updates across server processes: on PostgreSQL, `portail serve --workers 2`, each worker
LISTENing on its own connection, and a manager's subscriptions held by both workers all receive the
new pending count when a user asks to join; on SQLite, the same in the one process (the in-process
broker). And below the server: an announcement is delivered when its transaction commits, never
when it rolls back.

Selected by ``-m api`` (the PostgreSQL pass of CI) and run by ``make test`` (SQLite)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections

from backend.realtime import Event, PostgresListener, announce, hub
from backend.services.tx import transaction
from backend.settings import Settings
from tests.live import WAIT, Browser, LiveServer, Socket, live_server, open_socket
from tests.tickets_world import COMMENT, SUBMIT, TicketWorld, build_ticket_world, gid
from tests.world import PASSWORD

pytestmark = pytest.mark.api

PENDING = "subscription { pendingApprovalCount }"
ACTIVITIES = "subscription($t: ID!) { ticketActivities(ticketId: $t) { kind body } }"
REQUEST_ATTACHMENT = """mutation($input: RequestAttachmentInput!) {
  requestAttachment(input: $input) { approval { id } errors { code message } }
}"""
#: Sockets opened at most to have some on every worker.
MAX_SOCKETS = 24
#: Linux: which worker holds a connection can be read in /proc.
HAS_PROC = Path("/proc/net/tcp").exists()


@pytest.fixture(scope="module")
def workers(database: Settings) -> int:
    return 1 if database.is_sqlite else 2


@pytest.fixture(scope="module")
def portal(database: Settings, workers: int) -> Iterator[LiveServer]:
    with live_server(database, workers=workers, env={"PORTAIL_WS_MAX_SUBSCRIPTIONS": "4"}) as running:
        yield running


@pytest.fixture
async def world(db: Settings) -> TicketWorld:
    return await build_ticket_world(None)


@pytest.fixture
async def browsers(portal: LiveServer, world: TicketWorld) -> AsyncIterator[Any]:
    opened: list[Browser] = []

    async def as_(role: str) -> Browser:
        browser = await Browser(portal).log_in(world.base.email(role), PASSWORD)
        opened.append(browser)
        return browser

    yield as_
    for browser in opened:
        await browser.close()


# ------------------------------------------------------------------------------ which worker holds a socket


def _descendants(pid: int) -> set[int]:
    children: dict[int, set[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), set()).add(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    return inodes


def worker_of(portal: LiveServer, ws: Socket) -> int | None:
    """The pid of the server process that holds this client's connection (Linux /proc)."""
    client_port = ws.connection.local_address[1]
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote = fields[1], fields[2]
                if (
                    int(local.rsplit(":", 1)[1], 16) == portal.port
                    and int(remote.rsplit(":", 1)[1], 16) == client_port
                ):
                    inode = fields[9]
    if inode is None:
        return None
    for pid in _descendants(portal.process.pid) | {portal.process.pid}:
        if inode in _socket_inodes(pid):
            return pid
    return None


async def _listeners() -> set[str]:
    rows = await connections.get("default").execute_query_dict(
        "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'portail-live-%'"
    )
    return {row["application_name"] for row in rows}


# ------------------------------------------------------------------------------ tests


async def test_every_worker_tells_its_subscribers_when_someone_asks_to_join(
    portal: LiveServer, world: TicketWorld, browsers: Any, workers: int, database: Settings
) -> None:
    if not database.is_sqlite:
        for _ in range(int(WAIT / 0.2)):
            if len(await _listeners()) >= workers:
                break
            await asyncio.sleep(0.2)
        assert len(await _listeners()) == workers, "each worker LISTENs on its own connection"

    manager, stranger = await browsers("manager"), await browsers("stranger")
    async with contextlib.AsyncExitStack() as stack:
        sockets: list[tuple[Socket, str]] = []
        held_by: set[int | None] = set()
        while len(sockets) < MAX_SOCKETS and (len(sockets) < 2 or len(held_by - {None}) < workers):
            ws = await stack.enter_async_context(open_socket(portal, cookie=manager.cookie))
            operation = await ws.subscribe(PENDING)
            assert await ws.next_data(operation) == {"pendingApprovalCount": 0}
            sockets.append((ws, operation))
            held_by.add(worker_of(portal, ws))
        if HAS_PROC:
            assert len(held_by - {None}) == workers, f"subscriptions held by {held_by}"

        asked = await stranger.query(
            REQUEST_ATTACHMENT, {"input": {"structureId": gid("Structure", world.issuer.id)}}
        )
        assert asked["requestAttachment"]["errors"] == []
        received = await asyncio.gather(*(ws.next_data(operation, WAIT) for ws, operation in sockets))
        assert received == [{"pendingApprovalCount": 1}] * len(sockets)


async def test_a_comment_handled_by_any_worker_reaches_every_follower(
    portal: LiveServer, world: TicketWorld, browsers: Any, workers: int
) -> None:
    member, recipient = await browsers("member"), await browsers("recipient")
    ticket = (await member.query(SUBMIT, {"input": world.input()}))["submitTicket"]["ticket"]
    async with contextlib.AsyncExitStack() as stack:
        sockets = []
        held_by: set[int | None] = set()
        while len(sockets) < MAX_SOCKETS and (len(sockets) < 2 or len(held_by - {None}) < workers):
            ws = await stack.enter_async_context(open_socket(portal, cookie=member.cookie))
            sockets.append((ws, await ws.subscribe(ACTIVITIES, {"t": ticket["id"]})))
            held_by.add(worker_of(portal, ws))
        await asyncio.sleep(0.3)  # let each subscription start watching before the comment
        for body in ("Nous regardons votre facture.", "C'est réglé."):
            done = await recipient.query(COMMENT, {"id": ticket["id"], "body": body})
            assert done["commentTicket"]["errors"] == []
            received = await asyncio.gather(*(ws.next_data(operation, WAIT) for ws, operation in sockets))
            assert received == [{"ticketActivities": {"kind": "COMMENT", "body": body}}] * len(sockets)


@pytest.fixture
async def listening(database: Settings) -> AsyncIterator[None]:
    """This process hears announcements as a worker does (PostgreSQL: its own LISTEN connection)."""
    if database.is_sqlite:
        yield
        return
    listener = PostgresListener(database.database_url)
    await listener.start()
    assert listener.ready.is_set()
    try:
        yield
    finally:
        await listener.stop()


async def test_an_announcement_is_delivered_on_commit_and_never_after_a_rollback(
    db: Settings, listening: None
) -> None:
    with hub.watch(["test:commit"]) as watch:
        with contextlib.suppress(RuntimeError):
            async with transaction():
                await announce(Event("test:commit", {"n": 1}))
                raise RuntimeError("the write fails")
        async with transaction():
            await announce(Event("test:commit", {"n": 2}))
            assert await watch.wait(0.3) is None, "nothing before the commit"
        events = await watch.wait(WAIT)
        assert events == [Event("test:commit", {"n": 2})]
        assert await watch.wait(0.5) is None, "the rolled-back one never comes"
