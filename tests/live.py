"""A real server for the live-update tests: ``portail serve`` in a subprocess on a free port, over the
test database, and a small graphql-transport-ws client (the protocol of the `graphql-ws` npm package)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from backend.settings import Settings

PROTOCOL = "graphql-transport-ws"
#: The bounded wait of every expectation.
WAIT = 10.0

LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { errors { code message } } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.log = log
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/graphql"

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]


@contextlib.contextmanager
def live_server(
    settings: Settings, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """``portail serve --workers N`` over the tests' database; stopped (every worker) afterwards."""
    port = free_port()
    log = settings.var_dir / f"server-{port}.log"
    environment = {
        **os.environ,
        "PORTAIL_VAR_DIR": str(settings.var_dir),
        "PORTAIL_SECRET_KEY": settings.secret_key,
        "DATABASE_URL": settings.database_url,
        "PORTAIL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        # Far longer than any wait below: what arrives was announced, not found by the safety re-check.
        "PORTAIL_LIVE_RECHECK_SECONDS": "600",
        **(env or {}),
    }
    command = [sys.executable, "-m", "backend.cli", "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = LiveServer(process, port, log)
    try:
        _wait_until_ready(server, workers)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_ready(server: LiveServer, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server stopped:\n{server.output()}")
        started = server.output().count("Application startup complete")
        if started >= workers:
            try:
                if httpx.get(f"{server.url}/healthz", timeout=2, trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not start:\n{server.output()}")


class Browser:
    """Someone signed in to the live server: their session cookie, and GraphQL over HTTP."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.http = httpx.AsyncClient(
            base_url=server.url, headers={"X-Requested-With": "portail"}, timeout=WAIT, trust_env=False
        )

    async def log_in(self, email: str, password: str) -> Browser:
        data = await self.query(LOG_IN, {"e": email, "p": password})
        assert data["logIn"]["errors"] == [], data
        return self

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        # A new connection each time: with several workers, any of them may answer.
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers={"Connection": "close"}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def close(self) -> None:
        await self.http.aclose()


class Socket:
    """One graphql-transport-ws connection."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.ids = itertools.count(1)
        # Messages of other operations that arrived while one was awaited: the operations of a
        # connection run concurrently, their messages come in any order.
        self.held: dict[str, list[dict[str, Any]]] = {}

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, wait: float = WAIT) -> dict[str, Any]:
        """The next message (pings answered on the way)."""
        while True:
            frame = await asyncio.wait_for(self.connection.recv(), wait)
            assert isinstance(frame, str), f"graphql-transport-ws speaks in text frames: {frame!r}"
            message = json.loads(frame)
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        operation = str(next(self.ids))
        await self.send(
            {"id": operation, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
        )
        return operation

    async def expect(self, operation: str, wait: float = WAIT) -> dict[str, Any]:
        """The next message of ``operation`` (next, error or complete)."""
        if self.held.get(operation):
            return self.held[operation].pop(0)
        deadline = time.monotonic() + wait
        while True:
            message = await self.receive(max(deadline - time.monotonic(), 0.01))
            if message.get("id") == operation:
                return message
            self.held.setdefault(str(message.get("id")), []).append(message)

    async def next_data(self, operation: str, wait: float = WAIT) -> dict[str, Any]:
        message = await self.expect(operation, wait)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]

    async def nothing_for(self, operation: str, wait: float) -> None:
        with contextlib.suppress(TimeoutError):
            message = await self.expect(operation, wait)
            raise AssertionError(f"unexpected message: {message}")


@contextlib.asynccontextmanager
async def open_socket(
    server: LiveServer,
    *,
    cookie: str | None = None,
    origin: str | None = "same",
    payload: dict[str, Any] | None = None,
    subprotocols: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[Socket]:
    """A connection acknowledged by the server (``origin="same"``: the server's own, as a browser on
    the portal sends it)."""
    extra = dict(headers or {})
    if cookie:
        extra["Cookie"] = cookie
    async with connect(
        server.ws_url,
        origin=server.url if origin == "same" else origin,  # type: ignore[arg-type]
        subprotocols=[PROTOCOL] if subprotocols is None else (subprotocols or None),  # type: ignore[list-item]
        additional_headers=extra,
        open_timeout=WAIT,
        proxy=None,
    ) as connection:
        ws = Socket(connection)
        await ws.send({"type": "connection_init", "payload": payload or {}})
        ack = await ws.receive()
        assert ack["type"] == "connection_ack", ack
        yield ws
