"""Backup and restore of the database: ``portail backup DEST`` and ``portail restore SRC``.

SQLite: the online backup API copies one consistent snapshot of the live
file (the server keeps writing meanwhile: WAL readers never block writers);
the copy is checked (``PRAGMA integrity_check``) before it replaces DEST.
Restoring copies the backup into the configured database through the same
API, under SQLite's locks.

PostgreSQL: ``pg_dump`` (custom format, one consistent snapshot) and
``pg_restore --clean --single-transaction``; both must be installed (Debian
package ``postgresql-client``, of a version at least the server's).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from backend.settings import Settings

#: Debian installs each PostgreSQL version's programs under <this>/<version>/bin.
PG_VERSIONS_DIR = Path("/usr/lib/postgresql")
#: Waits this long for a writer of the live database before giving up (milliseconds).
BUSY_TIMEOUT_MS = 30_000


class BackupError(Exception):
    """A backup or a restore that could not be done; the message is for the person at the console."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    size: int


def backup(settings: Settings, destination: Path) -> Outcome:
    """Write a copy of the configured database to ``destination`` (replaced if it exists)."""
    destination = destination.expanduser()
    if destination.is_dir():
        raise BackupError(f"{destination} est un dossier : donnez le chemin du fichier de sauvegarde.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    if settings.is_sqlite:
        _sqlite_backup(sqlite_path(settings), destination)
    else:
        _pg_dump(settings.database_url, destination)
    return Outcome(destination, destination.stat().st_size)


def restore(settings: Settings, source: Path) -> Outcome:
    """Replace the content of the configured database with the backup ``source``."""
    source = source.expanduser()
    if not source.is_file():
        raise BackupError(f"Sauvegarde introuvable : {source}")
    if settings.is_sqlite:
        _sqlite_restore(source, sqlite_path(settings))
    else:
        _pg_restore(settings.database_url, source)
    return Outcome(source, source.stat().st_size)


# ------------------------------------------------------------------------------ SQLite


def sqlite_path(settings: Settings) -> Path:
    path = settings.database_url.removeprefix("sqlite://")
    if path in ("", ":memory:"):
        raise BackupError("Une base SQLite en mémoire ne se sauvegarde pas.")
    return Path(path)


def _connect(path: Path, *, must_exist: bool) -> sqlite3.Connection:
    if must_exist and not path.is_file():
        raise BackupError(f"Base de données introuvable : {path}")
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def _check(connection: sqlite3.Connection, what: str) -> None:
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{what} n'est pas une base SQLite lisible ({error}).") from error
    if result != ["ok"]:
        raise BackupError(f"{what} est endommagée : " + "; ".join(result[:5]))


def _sqlite_backup(source: Path, destination: Path) -> None:
    partial = destination.with_name(destination.name + ".partiel")
    partial.unlink(missing_ok=True)
    live = _connect(source, must_exist=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            # pages=-1: the whole file in one step, inside one read transaction (one snapshot).
            live.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _check(copy, "La copie")
        finally:
            copy.close()
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"La sauvegarde a échoué : {error}") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        live.close()
    os.replace(partial, destination)


def _sqlite_restore(source: Path, target: Path) -> None:
    backup_file = _connect(source, must_exist=True)
    try:
        _check(backup_file, f"La sauvegarde {source}")
        tables = {row[0] for row in backup_file.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "structure" not in tables:
            raise BackupError(f"{source} n'est pas une sauvegarde du portail.")
        target.parent.mkdir(parents=True, exist_ok=True)
        live = _connect(target, must_exist=False)
        try:
            live.execute("PRAGMA journal_mode=WAL")
            backup_file.backup(live, pages=-1)
            _check(live, "La base restaurée")
        except sqlite3.Error as error:
            raise BackupError(f"La restauration a échoué : {error}") from error
        finally:
            live.close()
    finally:
        backup_file.close()


# ------------------------------------------------------------------------------ PostgreSQL


def _pg_tool(name: str) -> str:
    """The newest ``name`` (pg_dump, pg_restore): on the PATH, else in Debian's versioned folders."""
    found = shutil.which(name)
    if found is None:
        versioned = sorted(
            PG_VERSIONS_DIR.glob(f"*/bin/{name}"),
            key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        )
        found = str(versioned[-1]) if versioned else None
    if found is None:
        raise BackupError(
            f"{name} est introuvable : installez le client PostgreSQL (paquet Debian « postgresql-client », "
            "de la version du serveur ou plus récent) ou ajoutez son dossier au PATH."
        )
    return found


def _pg_environment(database_url: str) -> dict[str, str]:
    """libpq's variables for the URL (the password never appears on a command line)."""
    url = urllib.parse.urlsplit(database_url)
    env = dict(os.environ)
    values = {
        "PGHOST": url.hostname,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": urllib.parse.unquote(url.username) if url.username else None,
        "PGPASSWORD": urllib.parse.unquote(url.password) if url.password else None,
        "PGDATABASE": urllib.parse.unquote(url.path.lstrip("/")) or None,
    }
    sslmode = urllib.parse.parse_qs(url.query).get("sslmode")
    if sslmode:
        values["PGSSLMODE"] = sslmode[0]
    env.update({key: value for key, value in values.items() if value})
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(
            f"{what} a échoué : " + (" ".join(detail[-3:]) if detail else f"code {result.returncode}")
        )


def _pg_dump(database_url: str, destination: Path) -> None:
    partial = destination.with_name(destination.name + ".partiel")
    command = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
    try:
        _run(command, _pg_environment(database_url), "pg_dump")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, destination)


def _pg_restore(database_url: str, source: Path) -> None:
    env = _pg_environment(database_url)
    command = [
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={env.get('PGDATABASE', '')}",
        str(source),
    ]
    _run(command, env, "pg_restore")
