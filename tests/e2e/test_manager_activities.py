"""Browser test of « Activités du gestionnaire » (Organisation › Utilisateurs): a principal manager reads
the audit log of one of their structures, newest first and page by page, filters it by action, user
and dates (the dates with the keyboard), and exports it to CSV and XLSX.

The manager works on a structure this test creates (an active establishment of
backend/seed/sirene_sample.csv that the demo and the other browser tests do not use), so that the
number of events is known and the demo structures stay as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from backend.seed.demo import DEMO_PASSWORD, MANAGER_EMAIL
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import heading, log_in

SIRET = "57890123300010"  # LE COMPTOIR BORDELAIS, Bordeaux
NAME = "LE COMPTOIR BORDELAIS"
PHONE_CHANGES = 21


def graphql(page: Page, query: str, variables: dict | None = None) -> dict:
    """Run an operation with the page's session (test set-up and checks, not the screen under test)."""
    response = page.request.post(
        "/graphql",
        data={"query": query, "variables": variables or {}},
        headers={"X-Requested-With": "portail"},
    )
    assert response.ok, response.text()
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


def rows(page: Page):
    return page.locator("#table-activites tbody tr")


def results(page: Page):
    return page.locator(".portail-list-pagination [role=status]")


def test_a_principal_manager_reads_filters_and_exports_the_activity_of_a_structure(
    page: Page, tmp_path: Path
) -> None:
    log_in(page, MANAGER_EMAIL, DEMO_PASSWORD)

    # Set-up through the API: a structure, a service, and 21 changes of its phone number: 23 events.
    created = graphql(
        page,
        "mutation($input: CreateStructureInput!) { createStructure(input: $input) "
        "{ structure { id version } errors { message } } }",
        {"input": {"identifierType": "SIRET", "identifier": SIRET}},
    )["createStructure"]
    assert created["errors"] == [], created
    structure_id = created["structure"]["id"]
    version = created["structure"]["version"]
    for number in range(PHONE_CHANGES):
        updated = graphql(
            page,
            "mutation($id: ID!, $v: Int!, $input: UpdateStructureInput!) { updateStructure(id: $id, "
            "version: $v, input: $input) { structure { version } errors { message } } }",
            {"id": structure_id, "v": version, "input": {"phone": f"05 56 00 00 {number:02d}"}},
        )["updateStructure"]
        assert updated["errors"] == [], updated
        version = updated["structure"]["version"]
    service = graphql(
        page,
        "mutation($input: CreateServiceInput!) { createService(input: $input) { errors { message } } }",
        {"input": {"structureId": structure_id, "code": "CAISSE", "name": "Caisse"}},
    )["createService"]
    assert service["errors"] == [], service
    total = PHONE_CHANGES + 2

    # The tile, in the Utilisateurs group of the Organisation domain.
    page.goto("/domaines/organisation")
    group = page.locator("#groupe-utilisateurs")
    group.get_by_role("link", name="Activités du gestionnaire", exact=True).click()
    expect(heading(page, "Activités du gestionnaire")).to_be_visible()
    expect(page).to_have_title("Activités du gestionnaire — Portail Organisation")
    assert_accessible(page)

    # ---------------------------------------------------------------- the list, newest first, 20 a page
    picker = page.locator("#activites-structure")
    expect(picker).to_be_enabled()
    option = picker.locator("option", has_text=SIRET)
    expect(option).to_have_count(1)
    picker.select_option(option.get_attribute("value"))
    expect(page).to_have_url(re.compile(r"structure="))
    table = page.locator("#table-activites")
    expect(table.locator("caption")).to_contain_text(f"{SIRET} – {NAME}")
    expect(rows(page)).to_have_count(20)
    expect(results(page)).to_have_text(f"Résultats 1 – 20 sur {total} activités (page 1 sur 2)")
    newest = rows(page).first
    expect(newest.get_by_role("rowheader")).to_have_text("Création d’un service")
    expect(newest).to_contain_text("Camille Martin")
    second = rows(page).nth(1)
    expect(second.get_by_role("rowheader")).to_have_text("Modification de la structure")
    expect(second).to_contain_text(
        f"Téléphone : 05 56 00 00 {PHONE_CHANGES - 2:02d} → 05 56 00 00 {PHONE_CHANGES - 1:02d}"
    )
    expect(table.get_by_role("columnheader", name="Date")).to_have_attribute("aria-sort", "descending")
    assert_accessible(page)

    page.get_by_role("button", name="Page suivante").click()
    expect(results(page)).to_have_text(f"Résultats 21 – {total} sur {total} activités (page 2 sur 2)")
    expect(rows(page)).to_have_count(total - 20)
    expect(rows(page).last.get_by_role("rowheader")).to_have_text("Création de la structure")
    page.get_by_role("button", name="Page précédente").click()
    expect(results(page)).to_contain_text("Résultats 1 – 20 sur")

    # ---------------------------------------------------------------- filters
    action = page.get_by_label("Action", exact=True)
    action.select_option(label="Création de la structure")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Identifiant : (vide) → " + SIRET)
    # Every action of a kind.
    action.select_option(label="Toutes les actions sur la structure")
    expect(results(page)).to_have_text(re.compile(rf"sur {total - 1} activités"))
    action.select_option(label="Toutes les actions")
    user = page.locator("#activites-auteur")
    user.select_option(label="Martin Camille")
    expect(results(page)).to_have_text(re.compile(rf"sur {total} activités"))

    # Dates, with the keyboard: a period after today finds nothing…
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    day_after = tomorrow + dt.timedelta(days=1)
    start = page.locator("#activites-du")
    start.focus()
    start.fill(tomorrow.isoformat())
    start.press("Enter")
    expect(page.get_by_text("Aucune activité ne correspond à ces critères.")).to_be_visible()
    assert_accessible(page)
    # …an end before the start is said next to the field, which gets the focus…
    end = page.locator("#activites-au")
    end.fill((tomorrow - dt.timedelta(days=3)).isoformat())
    end.press("Enter")
    expect(page.locator("#activites-au-erreur")).to_have_text(
        "La date de fin doit être postérieure ou égale à la date de début."
    )
    expect(end).to_be_focused()
    expect(end).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    # …and a period that includes today finds everything again.
    start.fill((dt.date.today() - dt.timedelta(days=1)).isoformat())
    end.fill(day_after.isoformat())
    end.press("Enter")
    expect(page.locator("#activites-au-erreur")).to_have_count(0)
    expect(results(page)).to_have_text(re.compile(rf"sur {total} activités"))

    # ---------------------------------------------------------------- export, with the filters
    action.select_option(label="Modification de la structure")
    expect(results(page)).to_have_text(re.compile(rf"sur {PHONE_CHANGES} activités"))
    csv_link = page.get_by_role("link", name="Exporter les activités (CSV)")
    xlsx_link = page.get_by_role("link", name="Exporter les activités (XLSX)")
    expect(csv_link).to_have_attribute(
        "href", re.compile(r"^/exports/activites\.csv\?.*action=structure\.update")
    )
    expect(xlsx_link).to_have_attribute("href", re.compile(r"^/exports/activites\.xlsx\?structureId="))
    with page.expect_download() as download_info:
        csv_link.click()
    download = download_info.value
    assert re.fullmatch(r"activites-du-gestionnaire-.*\.csv", download.suggested_filename)
    table_rows = list(
        csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig")), delimiter=";")
    )
    assert table_rows[0][:4] == ["Date", "Auteur", "Adresse de l'auteur", "Action"], table_rows[0]
    assert len(table_rows) == 1 + PHONE_CHANGES, table_rows
    assert {row[3] for row in table_rows[1:]} == {"structure.update"}, table_rows
    assert {row[2] for row in table_rows[1:]} == {MANAGER_EMAIL}, table_rows
    with page.expect_download() as download_info:
        xlsx_link.click()
    xlsx = Path(download_info.value.path()).read_bytes()
    assert xlsx[:2] == b"PK"

    # Reset: every action again.
    page.get_by_role("button", name="Réinitialiser les filtres").click()
    expect(action).to_have_value("")
    expect(results(page)).to_have_text(f"Résultats 1 – 20 sur {total} activités (page 1 sur 2)")
    assert_accessible(page)


def test_the_activity_of_a_structure_needs_the_organisation_profile(page: Page) -> None:
    """Léa holds Organisation consultation on the Boulangerie: she reads its activity; a structure
    where she has no Organisation profile is not offered and, given in the address, is refused in a
    DSFR alert."""
    log_in(page, "lea.dubois@demo.portail.fr", DEMO_PASSWORD)
    hospital = graphql(
        page,
        'query { structure(identifierType: SIRET, identifier: "26450001800017") { id } }',
    )["structure"]["id"]
    page.goto(f"/organisation/utilisateurs/activites?structure={hospital}")
    expect(heading(page, "Activités du gestionnaire")).to_be_visible()
    alert = page.locator(".fr-alert--error")
    expect(alert).to_contain_text("Les activités n’ont pas pu être chargées")
    expect(page.locator("#table-activites")).to_have_count(0)
    assert_accessible(page)

    picker = page.locator("#activites-structure")
    option = picker.locator("option", has_text="81234567600017")
    picker.select_option(option.get_attribute("value"))
    expect(rows(page).first).to_be_visible()
    expect(page.locator(".fr-alert--error")).to_have_count(0)
    assert_accessible(page)
