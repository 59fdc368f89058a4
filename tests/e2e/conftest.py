"""Browser tests: the real server (`portail serve`) on a fresh SQLite database with the demo
data, driven by Debian's Chromium through Playwright; axe-core checks every screen visited."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe

from backend.settings import PROJECT_ROOT

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `server`'s PORTAIL_VAR_DIR: its SQLite file, its log and its mail outbox (`outbox/*.eml`)."""
    return tmp_path_factory.mktemp("e2e-var")


@pytest.fixture(scope="session")
def server(server_var_dir: Path) -> Iterator[str]:
    if not (PROJECT_ROOT / "frontend" / "dist" / "index.html").exists():
        pytest.fail("The SPA is not built: run `make test` (it runs `npm ci && npm run build`).")
    var_dir = server_var_dir
    port = _free_port()
    env = {
        **os.environ,
        "PORTAIL_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite://{var_dir / 'portail.sqlite3'}",
        "PORTAIL_PORT": str(port),
        # Every browser test logs in from 127.0.0.1 to one server: throttling is the API tests' subject.
        "PORTAIL_LOGIN_RATE_PER_MINUTE": "0",
    }
    portail = [sys.executable, "-m", "backend.cli"]
    subprocess.run([*portail, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*portail, "seed", "--demo"], env=env, check=True, capture_output=True)
    log = open(var_dir / "server.log", "w")
    process = subprocess.Popen([*portail, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the server did not start:\n" + Path(log.name).read_text())
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium is missing: install Debian's package (apt-get install chromium) or run `make test`."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server: str) -> Iterator[object]:
    context = browser.new_context(base_url=server, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


_axe = Axe()


def assert_accessible(page) -> None:
    """No serious or critical axe-core violation on the screen as it is now."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in bad
    ]
    assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(details)
