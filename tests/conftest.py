"""Shared fixtures: a real database (SQLite file, or PostgreSQL when DATABASE_URL says so),
the app served in-process over HTTP, and helpers to speak GraphQL to it."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise import Tortoise, connections

from backend.app import create_app
from backend.db import run_migrations, tortoise_config
from backend.settings import Settings, load_settings

# Rows of these tables are reference data, loaded once per session and kept between tests.
REFERENCE_TABLES = {"application", "profile", "ticket_category", "ticket_subcategory"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "api" in parts:
            item.add_marker(pytest.mark.api)
        if "e2e" in parts:
            item.add_marker(pytest.mark.e2e)


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
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
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

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.headers: dict[str, str] = {"X-Requested-With": "portail"}

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
async def http(db: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(db, manage_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors", [])]


class QueryCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends (it logs each one on tortoise.db_client)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

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
    """`with count_queries() as counter: …` then `counter.count`."""
    return QueryCounter
