"""The integrators' material (docs/api.md and examples/) runs against a real server: `portail
serve` in a subprocess, on a fresh SQLite database with the demo data, as a reader of the guide
would start it. Commands of the guide (`portail create-token`…) run against the same database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from backend.settings import PROJECT_ROOT

MANAGER = "manager@demo.portail.fr"
DEMO_PASSWORD = "Demo-Portail-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class DemoServer:
    url: str
    #: The environment of the server: `portail` commands run with it reach the same database.
    env: dict[str, str]
    var_dir: Path
    log: Path

    def portail(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "backend.cli", *args],
            env=self.env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )

    def create_token(self, email: str = MANAGER, *, name: str = "tests", write: bool = True) -> str:
        result = self.portail("create-token", email, "--name", name, *(["--write"] if write else []))
        return result.stdout.strip()

    def graphql(self, token: str, query: str, variables: dict | None = None) -> dict:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            trust_env=False,
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    var_dir = tmp_path_factory.mktemp("docs-var")
    port = _free_port()
    env = {
        **os.environ,
        "PORTAIL_VAR_DIR": str(var_dir),
        "PORTAIL_SECRET_KEY": "docs-tests-secret-key",
        "DATABASE_URL": f"sqlite://{var_dir / 'portail.sqlite3'}",
        "PORTAIL_DOCUMENTS_DIR": str(var_dir / "documents"),
        "PORTAIL_PORT": str(port),
        "PORTAIL_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    env.pop("PORTAIL_PRODUCTION", None)
    server = DemoServer(f"http://127.0.0.1:{port}", env, var_dir, var_dir / "server.log")
    server.portail("migrate")
    server.portail("seed", "--demo")
    with server.log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--port", str(port)],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{server.url}/healthz", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the server did not start:\n" + server.log.read_text(errors="replace"))
            time.sleep(0.2)
        yield server
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
