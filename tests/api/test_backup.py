"""`portail backup` and `portail restore` while the portal keeps writing: the restored copy opens,
is up to date with the migrations, and holds everything acknowledged before the backup started
(SQLite: online backup API; PostgreSQL: pg_dump / pg_restore)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from backend import backup
from backend.settings import PROJECT_ROOT, Settings
from tests.tickets_world import SUBMIT, TicketWorld, build_ticket_world

WRITERS = 6
BEFORE_BACKUP = 30  # acknowledged writes before the backup starts


@pytest.fixture
async def tw(db, app) -> AsyncIterator[TicketWorld]:
    world = await build_ticket_world(app)
    yield world
    await world.close()


def _env(settings: Settings, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORTAIL_VAR_DIR": str(settings.var_dir),
        "PORTAIL_SECRET_KEY": settings.secret_key,
    }


async def portail(settings: Settings, database_url: str, *args: str) -> tuple[int, str]:
    """Runs the command line in its own process, without blocking the app's event loop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.cli",
        *args,
        env=_env(settings, database_url),
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def _fresh_database(settings: Settings, name: str) -> str:
    """An empty database to restore into: a new SQLite file, or a new PostgreSQL database."""
    if settings.is_sqlite:
        return f"sqlite://{settings.var_dir / 'restored' / f'{name}.sqlite3'}"
    import asyncpg

    url = urllib.parse.urlsplit(settings.database_url)
    admin = await asyncpg.connect(settings.database_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return urllib.parse.urlunsplit(url._replace(path=f"/{name}"))


async def _rows(database_url: str, query: str) -> list[tuple]:
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite://"))
        try:
            return connection.execute(query).fetchall()
        finally:
            connection.close()
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        return [tuple(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()


async def test_a_backup_taken_under_load_restores_everything_acknowledged_before_it(
    tw: TicketWorld, database: Settings, tmp_path: Path
) -> None:
    settings = database
    acknowledged: dict[str, str] = {}
    errors: list[object] = []
    stop = asyncio.Event()
    started = asyncio.Event()

    async def writer(w: int) -> None:
        browser = await tw.as_("member" if w % 2 else "manager")
        n = 0
        while not stop.is_set():
            title = f"Sauvegarde {w}-{n}"
            body = await browser.post(SUBMIT, {"input": tw.input("invoice", title=title)})
            payload = (body.get("data") or {}).get("submitTicket")
            if not payload or payload["errors"]:
                errors.append(body)
                return
            acknowledged[payload["ticket"]["number"]] = title
            if len(acknowledged) >= BEFORE_BACKUP:
                started.set()
            n += 1

    for role in ("member", "manager"):
        await tw.as_(role)  # log in before the load
    load = [asyncio.create_task(writer(w)) for w in range(WRITERS)]
    try:
        await asyncio.wait_for(started.wait(), timeout=60)
        before = dict(acknowledged)
        destination = tmp_path / "sauvegardes" / "portail.backup"
        code, out = await portail(settings, settings.database_url, "backup", str(destination))
    finally:
        stop.set()
        await asyncio.gather(*load)
    assert code == 0, out
    assert "Sauvegarde de" in out and destination.is_file()
    assert not errors, errors
    assert len(acknowledged) > len(before)  # the writers were still at work when the backup ran

    target = await _fresh_database(settings, f"restored_{os.getpid()}")
    code, out = await portail(settings, target, "restore", str(destination), "--yes")
    assert code == 0, out
    assert "restaurée" in out

    # The copy opens: it is sound, and its migrations are those of the code (nothing left to apply).
    if target.startswith("sqlite"):
        assert await _rows(target, "PRAGMA integrity_check") == [("ok",)]
    code, out = await portail(settings, target, "migrate")
    assert code == 0 and "migration appliquée" not in out, out
    restored = dict(await _rows(target, "SELECT number, title FROM ticket WHERE number IS NOT NULL"))
    assert {number: restored.get(number) for number in before} == before
    # One snapshot: the numbers it holds run from 1 without a gap, like those of the live database.
    assert sorted(restored) == [f"CPROCS{n:07d}" for n in range(1, len(restored) + 1)]
    assert all(acknowledged.get(number) in (None, title) for number, title in restored.items())


async def test_restore_refuses_what_is_not_a_backup(database: Settings, tmp_path: Path) -> None:
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("ceci n'est pas une sauvegarde")
    target = await _fresh_database(database, f"refused_{os.getpid()}")
    code, out = await portail(database, target, "restore", str(not_a_backup), "--yes")
    assert code != 0
    if database.is_sqlite:
        assert "n'est pas une base SQLite lisible" in out
    else:
        assert "pg_restore a échoué" in out
    code, out = await portail(database, target, "restore", str(tmp_path / "absente"), "--yes")
    assert code != 0 and "Sauvegarde introuvable" in out


def test_without_pg_dump_the_backup_says_what_to_install(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup, "PG_VERSIONS_DIR", tmp_path)
    settings = Settings(database_url="postgres://portail@127.0.0.1:5432/portail")
    with pytest.raises(backup.BackupError) as refused:
        backup.backup(settings, tmp_path / "portail.backup")
    assert "pg_dump est introuvable" in str(refused.value)
    assert "postgresql-client" in str(refused.value)
    assert not (tmp_path / "portail.backup").exists()
