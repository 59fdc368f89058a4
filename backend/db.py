"""Database connection and migrations (Tortoise ORM).

SQLite by default (one file under var/, WAL, foreign keys on); PostgreSQL
when DATABASE_URL says so. The schema only changes through Tortoise's
migrations in ``backend/migrations``: never ``generate_schemas``.

On SQLite every transaction starts with ``BEGIN IMMEDIATE``: it takes the
write lock at once, so a writer that finds another process writing (the CLI
next to the server, a backup) waits for it (``busy_timeout``) instead of
failing half-way with "database is locked". Tortoise has no setting for it
(tortoise-orm#1675): ``backend.sqlite_engine`` is the engine, Tortoise's
client with only the BEGIN changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate as migrate_api

from backend.settings import Settings

MODEL_MODULES = ["backend.models"]


def tortoise_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection: dict[str, Any] = {
            "engine": "backend.sqlite_engine",  # Tortoise's SQLite client, with BEGIN IMMEDIATE
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                "foreign_keys": "ON",
                "busy_timeout": 10_000,
            },
        }
    else:
        connection = database_url  # type: ignore[assignment]
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "migrations": "backend.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(settings: Settings) -> None:
    await Tortoise.init(config=tortoise_config(settings.database_url))


async def close_db() -> None:
    await connections.close_all()


async def run_migrations(settings: Settings, progress: Any = None) -> None:
    """Apply every pending migration (idempotent)."""
    await migrate_api(config=tortoise_config(settings.database_url), progress=progress)
