"""The SPA's shell in Chromium: home page, search, domain pages, GraphiQL.

Every screen visited is checked with axe-core (no serious or critical violation).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from backend.seed.demo import DEMO_PASSWORD, MANAGER_EMAIL
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import fill_log_in_form, heading

DOMAIN_TILES = ["Marché", "Commande", "Facturation", "Organisation", "Raccordements", "Outils", "Support"]


def test_home_page_shows_the_domain_tiles(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_title("Accueil — Portail Organisation")
    expect(heading(page, "Portail Organisation")).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)
    tiles = page.locator(".portail-domains .fr-tile")
    expect(tiles).to_have_count(len(DOMAIN_TILES))
    for name in DOMAIN_TILES:
        expect(tiles.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert_accessible(page)


def test_search_finds_a_screen_and_opens_it(page: Page) -> None:
    page.goto("/")
    search = page.get_by_role("searchbox", name="Rechercher une application")
    search.fill("Gérer une structure")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"/recherche\?q="))
    expect(heading(page, "Rechercher une application")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("pour « Gérer une structure »")
    result = page.locator(".portail-results").get_by_role("link", name="Gérer une structure", exact=True)
    expect(result).to_be_visible()
    assert_accessible(page)

    # The screen needs a session: the login page first, then back to the screen.
    result.click()
    expect(page).to_have_url(re.compile(r"/connexion\?retour=/organisation/structures/gerer$"))
    assert_accessible(page)
    fill_log_in_form(page, MANAGER_EMAIL, DEMO_PASSWORD)

    expect(page).to_have_url(re.compile(r"/organisation/structures/gerer$"))
    expect(heading(page, "Gérer une structure")).to_be_visible()
    expect(page).to_have_title("Gérer une structure — Portail Organisation")
    assert_accessible(page)


def test_a_domain_page_lists_its_applications(page: Page) -> None:
    page.goto("/")
    page.locator(".portail-domains").get_by_role("link", name="Facturation", exact=True).click()

    expect(page).to_have_url(re.compile(r"/domaines/facturation$"))
    expect(heading(page, "Facturation")).to_be_visible()
    expect(page).to_have_title("Facturation — Portail Organisation")
    applications = page.locator("#titre-applications + ul .fr-tile__title")
    expect(applications.first).to_be_visible()
    expect(applications.filter(has_text="Factures émises")).to_have_count(1)
    assert_accessible(page)


def test_the_organisation_domain_lists_its_screens(page: Page) -> None:
    page.goto("/domaines/organisation")
    expect(heading(page, "Organisation")).to_be_visible()
    for group in ["Structures", "Utilisateurs", "Approbations"]:
        expect(page.get_by_role("heading", level=2, name=group, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Gérer une structure", exact=True)).to_be_visible()
    assert_accessible(page)


def test_graphiql_runs_the_default_query(page: Page) -> None:
    page.goto("/graphql")
    expect(page.locator(".graphiql-container")).to_be_visible()
    # CodeMirror mounts its editors after the container: the page is ready for a
    # keyboard or screen-reader user once the operation editor is named.
    expect(page.get_by_label("Opération GraphQL")).to_be_attached()
    expect(page.get_by_label("Variables (JSON)")).to_be_attached()
    assert_accessible(page)

    page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response")
    expect(result).to_contain_text('"applications"', timeout=10_000)
    expect(result).to_contain_text('"FACTURES_EMISES"')
    assert_accessible(page)
