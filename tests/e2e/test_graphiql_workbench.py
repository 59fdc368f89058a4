"""GraphiQL as an integrator's workbench: example tabs per domain, a pasted API token, the schema's
documentation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from backend.seed.demo import MANAGER_EMAIL
from tests.e2e.conftest import assert_accessible

TABS = ["MonCompte", "Annuaire", "Utilisateurs", "AValider", "TicketsEmis"]


def _token(var_dir: Path) -> str:
    env = {
        **os.environ,
        "PORTAIL_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite://{var_dir / 'portail.sqlite3'}",
    }
    run = subprocess.run(
        [sys.executable, "-m", "backend.cli", "create-token", MANAGER_EMAIL, "--name", "GraphiQL"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout.strip()


def test_graphiql_opens_with_a_tab_per_domain_and_runs_with_a_pasted_token(
    page: Page, server_var_dir: Path
) -> None:
    page.goto("/graphql")
    tabs = page.get_by_role("toolbar", name="Onglets des opérations")
    for name in TABS:
        expect(tabs.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(tabs.get_by_role("button", name="MonCompte", exact=True)).to_have_attribute("aria-current", "true")
    expect(page.get_by_label("Opération GraphQL")).to_be_attached()
    # The schema's documentation is open, with the root types' descriptions.
    docs = page.get_by_role("region", name="Documentation Explorer")
    docs.get_by_role("link", name="Query", exact=True).click()
    expect(docs).to_contain_text("What a client may read")
    assert_accessible(page)

    # Signed out, the token pasted in « Headers » authenticates the operation.
    page.get_by_label("En-têtes HTTP (JSON)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(f'{{"Authorization": "Bearer {_token(server_var_dir)}"}}')
    page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response")
    expect(result).to_contain_text(f'"{MANAGER_EMAIL}"', timeout=10_000)
    expect(result).to_contain_text('"isPrincipalManager": true')

    tabs.get_by_role("button", name="TicketsEmis", exact=True).click()
    expect(tabs.get_by_role("button", name="TicketsEmis", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.locator(".graphiql-query-editor")).to_contain_text("receivedTickets")
    assert_accessible(page)
