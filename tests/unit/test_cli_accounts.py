"""`portail set-role` and `portail create-token` on a fresh SQLite file, as an operator runs them."""

from __future__ import annotations

import hashlib
import hmac
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
    var = tmp_path_factory.mktemp("cli-accounts-var")
    portail(var, "migrate")
    portail(var, "create-admin", "--email", "ops@example.test", "--password", "Operateur-Portail-2026")
    return var


def roles(var: Path, email: str) -> tuple[int, int]:
    with sqlite3.connect(var / "portail.sqlite3") as db:
        return db.execute(
            "SELECT is_platform_admin, is_support_agent FROM user_account WHERE email = ?", (email,)
        ).fetchone()


def test_set_role_gives_and_removes_the_platform_roles(var: Path) -> None:
    support = portail(var, "set-role", "OPS@example.test", "support")
    assert "ops@example.test : agent du support" in support.stdout
    assert roles(var, "ops@example.test") == (0, 1)
    portail(var, "set-role", "ops@example.test", "admin")
    assert roles(var, "ops@example.test") == (1, 0)
    portail(var, "set-role", "ops@example.test", "none")
    assert roles(var, "ops@example.test") == (0, 0)
    with sqlite3.connect(var / "portail.sqlite3") as db:
        assert (
            db.execute("SELECT COUNT(*) FROM audit_event WHERE action = 'user.set_role'").fetchone()[0] == 3
        )


def test_set_role_refuses_an_unknown_account_or_role(var: Path) -> None:
    unknown = portail(var, "set-role", "personne@example.test", "admin", check=False)
    assert unknown.returncode != 0 and "Aucun compte" in unknown.stderr
    bad_role = portail(var, "set-role", "ops@example.test", "roi", check=False)
    assert bad_role.returncode != 0


def test_create_token_prints_the_secret_once_and_stores_its_digest(var: Path) -> None:
    result = portail(
        var, "create-token", "ops@example.test", "--name", "Sauvegarde", "--write", "--days", "30"
    )
    secret = result.stdout.strip()
    assert secret.startswith("pot_") and len(secret) == 44
    assert "il ne sera plus affiché" in result.stderr
    with sqlite3.connect(var / "portail.sqlite3") as db:
        row = db.execute(
            "SELECT name, prefix, read_only, secret_hash, expires_at FROM api_token ORDER BY id DESC"
        ).fetchone()
    name, prefix, read_only, secret_hash, expires_at = row
    assert (name, prefix, read_only) == ("Sauvegarde", secret[:8], 0)
    key = (var / "secret_key").read_text().strip().encode()
    assert secret_hash == hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()
    assert secret not in secret_hash
    assert expires_at is not None
    read_only_token = portail(var, "create-token", "ops@example.test", "--name", "Lecture")
    assert read_only_token.stdout.strip() != secret
