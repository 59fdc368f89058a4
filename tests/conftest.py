"""Shared fixtures: a real database (SQLite file, or PostgreSQL when DATABASE_URL says so),
the app served in-process over HTTP, and helpers to speak GraphQL to it."""

from __future__ import annotations

import email
import email.policy
import logging
import os
import re
import shutil
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from tortoise import Tortoise, connections

from backend.app import create_app
from backend.auth.grants import forget_kept_grants
from backend.db import run_migrations, tortoise_config
from backend.settings import Settings, load_settings

# Rows of these tables are reference data, loaded once per session and kept between tests.
REFERENCE_TABLES = {"application", "profile", "ticket_category", "ticket_subcategory"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests run last: sync Playwright keeps an event loop running in the main thread
    # until the session ends, and async tests cannot start while it does.
    items.sort(key=lambda item: "e2e" in Path(str(item.fspath)).parts)
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "api" in parts:
            item.add_marker(pytest.mark.api)
        if "e2e" in parts:
            item.add_marker(pytest.mark.e2e)
        if "system" in parts:
            item.add_marker(pytest.mark.system)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var_dir = tmp_path_factory.mktemp("var")
    env = {
        "PORTAIL_VAR_DIR": str(var_dir),
        "PORTAIL_SECRET_KEY": "test-secret-key-not-for-production",
    }
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return load_settings(env)


@pytest.fixture(scope="session")
async def database(settings: Settings) -> AsyncIterator[Settings]:
    """A migrated database with the reference data, for the whole session."""
    from backend.seed.reference import load_reference_data

    await run_migrations(settings)
    await connections.close_all()
    await Tortoise.init(config=tortoise_config(settings.database_url))
    await _empty_tables(settings, keep=set())
    await load_reference_data()
    yield settings
    await connections.close_all()


async def _table_names(settings: Settings) -> list[str]:
    conn = connections.get("default")
    if settings.is_sqlite:
        rows = await conn.execute_query_dict(
            "SELECT name, sql FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
        # Full-text tables (and their shadow tables) follow their content table through triggers.
        virtual = [r["name"] for r in rows if (r["sql"] or "").upper().startswith("CREATE VIRTUAL TABLE")]
        rows = [r for r in rows if not any(r["name"] == v or r["name"].startswith(f"{v}_") for v in virtual)]
    else:
        rows = await conn.execute_query_dict(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
        )
    return [r["name"] for r in rows if not r["name"].startswith("tortoise_") and r["name"] != "migrations"]


async def _empty_tables(settings: Settings, keep: set[str]) -> None:
    conn = connections.get("default")
    tables = [t for t in await _table_names(settings) if t not in keep and "migration" not in t]
    if not tables:
        return
    if settings.is_sqlite:
        await conn.execute_script(
            "PRAGMA foreign_keys=OFF;"
            + "".join(f'DELETE FROM "{t}";' for t in tables)
            + "PRAGMA foreign_keys=ON;"
        )
    else:
        await conn.execute_script(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )


@pytest.fixture
async def db(database: Settings) -> AsyncIterator[Settings]:
    """Each test starts from the reference data alone."""
    await _empty_tables(database, keep=REFERENCE_TABLES)
    yield database


class GraphQLClient:
    """Speaks GraphQL over HTTP to the app, like the SPA or an integrator would."""

    def __init__(self, http: httpx.AsyncClient, email: str | None = None) -> None:
        self.http = http
        self.headers: dict[str, str] = {"X-Requested-With": "portail"}
        #: The account this client is signed in as (set by the `accounts` helpers).
        self.email = email

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers, **kwargs
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data of a query that must succeed without errors."""
        body = await self.post(query, variables)
        assert "errors" not in body, body.get("errors")
        return body["data"]


@pytest.fixture
def app(db: Settings) -> Starlette:
    return create_app(db, manage_db=False)


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def clock() -> Iterator[Any]:
    """``backend.clock``: ``clock.advance(timedelta(...))`` moves "now" for the app; reset afterwards."""
    from backend import clock as portal_clock

    portal_clock.reset()
    yield portal_clock
    portal_clock.reset()


class Outbox:
    """The mails the app wrote to var/outbox/ (no SMTP server configured in tests)."""

    def __init__(self, mailer: Any) -> None:
        self.mailer = mailer
        self.folder: Path = mailer.outbox

    def clear(self) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder)

    async def messages(self, to: str | None = None) -> list[EmailMessage]:
        """Every mail delivered so far (oldest first), after waiting for those still being sent."""
        await self.mailer.drain()
        found = []
        for path in sorted(self.folder.glob("*.eml")) if self.folder.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if to is None or message["To"] == to:
                found.append(message)
        return found

    async def secret(self, to: str, route: str) -> str:
        """The `jeton` of the last link to ``route`` mailed to ``to``."""
        for message in reversed(await self.messages(to)):
            text = message.get_body(preferencelist=("plain",)).get_content()
            match = re.search(re.escape(route) + r"\?jeton=([A-Za-z0-9_%-]+)", text)
            if match:
                return urllib.parse.unquote(match.group(1))
        raise AssertionError(f"no link to {route} mailed to {to}")


@pytest.fixture
def outbox(app: Starlette) -> Outbox:
    box = Outbox(app.state.mailer)
    box.clear()
    return box


PASSWORD = "Portail-Essai-2026"

SIGN_UP = """mutation($input: SignUpInput!) {
  signUp(input: $input) { user { id } errors { code field message } }
}"""
VERIFY_EMAIL = "mutation($token: String!) { verifyEmail(token: $token) { ok errors { code message } } }"
LOG_IN = """mutation($email: String!, $password: String!, $code: String) {
  logIn(email: $email, password: $password, code: $code) { viewer { user { id } } errors { code field message } }
}"""


class Accounts:
    """Builds accounts through the API, as a person would: sign up, follow the mailed link, log in.

    Each signed-in person gets their own HTTP client (their own cookie jar).
    """

    def __init__(self, app: Starlette, outbox: Outbox) -> None:
        self.app = app
        self.outbox = outbox
        self._clients: list[httpx.AsyncClient] = []

    def client(self, **kwargs: Any) -> GraphQLClient:
        """A new anonymous browser (its own cookies)."""
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://testserver", **kwargs
        )
        self._clients.append(http)
        return GraphQLClient(http)

    async def sign_up(
        self,
        email: str,
        *,
        password: str = PASSWORD,
        first_name: str = "Alice",
        last_name: str = "Durand",
        verify: bool = True,
    ) -> str:
        """Create the account (and confirm its email); returns the user's global ID."""
        browser = self.client()
        data = await browser.query(
            SIGN_UP,
            {"input": {"email": email, "password": password, "firstName": first_name, "lastName": last_name}},
        )
        assert data["signUp"]["errors"] == [], data
        if verify:
            secret = await self.outbox.secret(email.strip().lower(), "/verifier-email")
            verified = await browser.query(VERIFY_EMAIL, {"token": secret})
            assert verified["verifyEmail"] == {"ok": True, "errors": []}
        return data["signUp"]["user"]["id"]

    async def log_in(self, email: str, password: str = PASSWORD, code: str | None = None) -> GraphQLClient:
        """A new browser logged in as ``email`` (the session cookie is in its jar)."""
        browser = self.client()
        data = await browser.query(LOG_IN, {"email": email, "password": password, "code": code})
        assert data["logIn"]["errors"] == [], data
        browser.email = email
        return browser

    async def signed_in(self, email: str, **kwargs: Any) -> GraphQLClient:
        """Sign up, verify the email, log in: a browser of a brand-new account."""
        password = kwargs.get("password", PASSWORD)
        await self.sign_up(email, **kwargs)
        return await self.log_in(email, password)

    async def close(self) -> None:
        for http in self._clients:
            await http.aclose()


@pytest.fixture
async def accounts(app: Starlette, outbox: Outbox) -> AsyncIterator[Accounts]:
    helper = Accounts(app, outbox)
    yield helper
    await helper.close()


@pytest.fixture
async def signed_in(accounts: Accounts) -> GraphQLClient:
    """A browser signed in as a new, verified account: alice@example.org (password ``PASSWORD``)."""
    return await accounts.signed_in("alice@example.org")


def error_codes(body: dict[str, Any]) -> list[str]:
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors", [])]


class QueryCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends (it logs each one on tortoise.db_client)."""

    def __init__(self, *, keep_grants: bool = False) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []
        self.keep_grants = keep_grants

    def emit(self, record: logging.LogRecord) -> None:
        if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
            statement = record.args[0].lstrip().upper()
            if statement.startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
                self.statements.append(record.args[0])
        elif isinstance(record.msg, str) and record.msg.lstrip().upper().startswith(
            ("SELECT", "INSERT", "UPDATE")
        ):
            self.statements.append(record.msg)

    def __enter__(self) -> QueryCounter:
        # Counted from a cold worker unless asked: whether the viewer's grants were kept by an
        # earlier request would otherwise decide the count (kept: one statement; read: three).
        if not self.keep_grants:
            forget_kept_grants()
        logger = logging.getLogger("tortoise.db_client")
        self._level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logger = logging.getLogger("tortoise.db_client")
        logger.removeHandler(self)
        logger.setLevel(self._level)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries() -> type[QueryCounter]:
    """`with count_queries() as counter: …` then `counter.count` (`count_queries(keep_grants=True)`:
    the viewer's grants kept by earlier requests, if any, are used)."""
    return QueryCounter
