"""Tests against real server processes (`portail serve`, uvicorn) on a SQLite file of their own:
real connections, real concurrency, real crashes. Each test prepares its database with
tests/system/world.py, then starts, kills and restarts servers through :class:`Server`."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.settings import PROJECT_ROOT

PORTAIL = [sys.executable, "-m", "backend.cli"]
HEADERS = {"X-Requested-With": "portail"}
LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { errors { code } } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `portail serve` process at a time on ``var_dir`` (its SQLite file, log and outbox)."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.database = var_dir / "portail.sqlite3"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "PORTAIL_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite://{self.database}",
            "PORTAIL_SECRET_KEY": "system-tests-secret-key",
            "PYTHONPATH": str(PROJECT_ROOT),
        }
        self.process: subprocess.Popen | None = None
        self.base = ""
        self.starts = 0

    def prepare(self) -> dict[str, Any]:
        """Migrate, load the reference data and the tickets' world; what the tests need to know."""
        out = subprocess.run(
            [sys.executable, "-m", "tests.system.world"],
            env=self.env,
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    def portail(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*PORTAIL, *args],
            env={**self.env, **(env or {})},
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )

    def start(self) -> str:
        port = free_port()
        self.starts += 1
        self.log = self.var_dir / f"server-{self.starts}.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [*PORTAIL, "serve", "--port", str(port)],
                env=self.env,
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self.base
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the server did not start:\n" + self.log.read_text())
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.var_dir.glob("server-*.log")))

    def sql(self, query: str, *params: Any) -> list[tuple]:
        """Read the database file directly (the server may be running: WAL lets us)."""
        connection = sqlite3.connect(self.database, timeout=30)
        try:
            return connection.execute(query, params).fetchall()
        finally:
            connection.close()

    async def browser(self, email: str, password: str, connections: int = 100) -> httpx.AsyncClient:
        """A client signed in as ``email``, able to keep ``connections`` requests in flight at once."""
        client = httpx.AsyncClient(
            base_url=self.base,
            headers=HEADERS,
            timeout=60,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )
        response = await client.post(
            "/graphql", json={"query": LOG_IN, "variables": {"e": email, "p": password}}
        )
        assert response.status_code == 200 and response.json()["data"]["logIn"]["errors"] == [], response.text
        return client


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    server = Server(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def assert_sound(response: httpx.Response) -> dict[str, Any]:
    """An answer a client can live with: 200, no top-level error, nothing of the server's insides."""
    assert response.status_code == 200, response.text
    text = response.text
    for leak in ("database is locked", "Traceback", "OperationalError", "INTERNAL"):
        assert leak not in text, text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]
