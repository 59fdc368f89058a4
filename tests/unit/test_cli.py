"""The `portail` command line on a fresh SQLite file, as an operator runs it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def portail(var: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PORTAIL_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite://{var / 'portail.sqlite3'}",
    }
    env.pop("PORTAIL_SECRET_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args], env=env, capture_output=True, text=True, check=check
    )


@pytest.fixture(scope="module")
def var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    var = tmp_path_factory.mktemp("cli-var")
    portail(var, "migrate")
    return var


def test_migrate_creates_the_database_and_a_secret_key_and_is_idempotent(var: Path) -> None:
    assert (var / "portail.sqlite3").exists()
    assert len((var / "secret_key").read_text()) >= 40
    again = portail(var, "migrate")
    assert "Base à jour" in again.stdout


def test_seed_loads_reference_data_and_the_demo_set_only_once(var: Path) -> None:
    first = portail(var, "seed", "--demo")
    assert "applications 15" in first.stdout
    assert "manager@demo.portail.fr" in first.stdout
    with sqlite3.connect(var / "portail.sqlite3") as db:
        users = db.execute("SELECT COUNT(*) FROM user_account").fetchone()[0]
        structures = db.execute("SELECT COUNT(*) FROM structure").fetchone()[0]
    second = portail(var, "seed", "--demo")
    assert "manager@demo.portail.fr" in second.stdout
    with sqlite3.connect(var / "portail.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM user_account").fetchone()[0] == users
        assert db.execute("SELECT COUNT(*) FROM structure").fetchone()[0] == structures
        assert db.execute("SELECT COUNT(*) FROM profile").fetchone()[0] == 30


def test_create_admin_creates_then_promotes_and_refuses_a_weak_password(var: Path) -> None:
    weak = portail(var, "create-admin", "--email", "ops@example.test", "--password", "court", check=False)
    assert weak.returncode != 0
    assert "12 caractères" in weak.stderr
    created = portail(
        var, "create-admin", "--email", "Ops@Example.test", "--password", "Operateur-Portail-2026"
    )
    assert "Administrateur créé : ops@example.test" in created.stdout
    again = portail(
        var, "create-admin", "--email", "ops@example.test", "--password", "Operateur-Portail-2026"
    )
    assert again.returncode == 0
    with sqlite3.connect(var / "portail.sqlite3") as db:
        row = db.execute(
            "SELECT is_platform_admin FROM user_account WHERE email = 'ops@example.test'"
        ).fetchone()
        assert row == (1,)
        audit = db.execute("SELECT COUNT(*) FROM audit_event WHERE action = 'user.create_admin'").fetchone()[
            0
        ]
        assert audit == 1


def test_export_schema_prints_the_sdl(var: Path) -> None:
    result = portail(var, "export-schema", "--output", "-")
    assert "type Query" in result.stdout
    assert "applications: [Application!]!" in result.stdout
