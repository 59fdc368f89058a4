"""Fixtures of the model tests: a fresh, migrated SQLite file per test.

Each test gets its own :class:`TortoiseContext`, so that the session-wide
database of ``tests/conftest.py`` (possibly PostgreSQL) is left untouched.
Tortoise keeps dialect-specific SQL on the model classes and in a module-wide
executor cache keyed by connection name only: both are reset around each test,
so that SQLite here and PostgreSQL there do not leak into each other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import Tortoise, connections
from tortoise.backends.base import executor
from tortoise.context import TortoiseContext, get_current_context

from backend.db import run_migrations, tortoise_config
from backend.seed.reference import load_reference_data
from backend.settings import Settings, load_settings


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Settings]:
    """A new SQLite file, migrated with backend.db.run_migrations, Tortoise initialised on it."""
    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite://{tmp_path / 'portail.sqlite3'}",
            "PORTAIL_VAR_DIR": str(tmp_path / "var"),
            "PORTAIL_SECRET_KEY": "test-secret-key-not-for-production",
        }
    )
    previous = get_current_context()
    executor.EXECUTOR_CACHE.clear()
    ctx = TortoiseContext()
    with ctx:
        try:
            await run_migrations(settings)
            await connections.close_all()
            await Tortoise.init(config=tortoise_config(settings.database_url))
            yield settings
        finally:
            await connections.close_all()
    executor.EXECUTOR_CACHE.clear()
    if previous is not None and previous.inited and previous.apps is not None:
        with previous:
            previous.apps._build_initial_querysets()


@pytest.fixture
async def reference_db(sqlite_db: Settings) -> Settings:
    """The fresh database with the reference data loaded."""
    await load_reference_data()
    return sqlite_db
