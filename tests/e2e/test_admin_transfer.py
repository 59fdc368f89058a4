"""Browser test of « Désigner ou remplacer un gestionnaire principal » (Organisation › Structures), the
screen of platform administrators and support agents: an administrator transfers the role on behalf
of a manager (refused first, in a DSFR alert, because the chosen successor is not attached to every
structure; then done for all the manager's structures), and appoints a manager for a structure whose
manager deactivated their account. A support agent sees a structure's manager and the candidates
on the same screen; a principal manager sees neither the tile nor the form.

The structures are created by this test (active establishments of backend/seed/sirene_sample.csv
that the demo and the other browser tests do not use), by new accounts, so that the demo stays as
the other browser tests expect it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from backend.seed.demo import ADMIN_EMAIL, DEMO_PASSWORD, MANAGER_EMAIL
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import heading, log_in, read_link_from_outbox

ALSACE = "59012345100015"  # ALSACE ENERGIES RENOUVELABLES, Strasbourg
IMPRIMERIE = "60123456000014"  # IMPRIMERIE DU NORD, Lille
PASSWORD = "Gestion-E2e-2026"
SUPPORT_EMAIL = "support@demo.portail.fr"
PATH = "/organisation/structures/designer-gestionnaire"
TITLE = "Désigner ou remplacer un gestionnaire principal"


class Account:
    """A new account with a verified email and its own API session (test set-up, not the screen)."""

    def __init__(self, server: str, var_dir: Path, first_name: str) -> None:
        self.first_name = first_name
        self.last_name = f"{first_name}{uuid.uuid4().hex[:6]}"
        self.email = f"e2e-{self.last_name.lower()}@exemple.fr"
        self.client = httpx.Client(base_url=server, headers={"X-Requested-With": "portail"}, timeout=10)
        signed = self.call(
            "mutation($input: SignUpInput!) { signUp(input: $input) { errors { message } } }",
            {
                "input": {
                    "email": self.email,
                    "password": PASSWORD,
                    "firstName": first_name,
                    "lastName": self.last_name,
                }
            },
        )
        assert signed["signUp"]["errors"] == [], signed
        token = read_link_from_outbox(var_dir, self.email, "/verifier-email").split("jeton=", 1)[1]
        verified = self.call(
            "mutation($t: String!) { verifyEmail(token: $t) { errors { message } } }", {"t": token}
        )
        assert verified["verifyEmail"]["errors"] == [], verified
        logged = self.call(
            "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { errors { message } } }",
            {"e": self.email, "p": PASSWORD},
        )
        assert logged["logIn"]["errors"] == [], logged

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def call(self, query: str, variables: dict | None = None) -> dict:
        response = self.client.post("/graphql", json={"query": query, "variables": variables or {}})
        response.raise_for_status()
        body = response.json()
        assert not body.get("errors"), body
        return body["data"]

    def create_structure(self, siret: str) -> str:
        made = self.call(
            "mutation($input: CreateStructureInput!) { createStructure(input: $input) "
            "{ structure { id } errors { message } } }",
            {"input": {"identifierType": "SIRET", "identifier": siret}},
        )["createStructure"]
        assert made["errors"] == [], made
        return made["structure"]["id"]

    def attach(self, email: str, structure_id: str) -> None:
        attached = self.call(
            "mutation($input: AttachUserInput!) { attachUser(input: $input) { errors { message } } }",
            {"input": {"email": email, "structureId": structure_id}},
        )["attachUser"]
        assert attached["errors"] == [], attached


@pytest.fixture
def admin_api(server: str) -> Iterator[httpx.Client]:
    """The administrator's API session, to read what the screen changed."""
    with httpx.Client(base_url=server, headers={"X-Requested-With": "portail"}, timeout=10) as client:
        logged = client.post(
            "/graphql",
            json={
                "query": "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { errors { message } } }",
                "variables": {"e": ADMIN_EMAIL, "p": DEMO_PASSWORD},
            },
        )
        assert logged.json()["data"]["logIn"]["errors"] == [], logged.text
        yield client


def manager_of(api: httpx.Client, structure_id: str) -> str | None:
    response = api.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { structure(id: $id) { principalManager { email } } }",
            "variables": {"id": structure_id},
        },
    )
    manager = response.json()["data"]["structure"]["principalManager"]
    return manager["email"] if manager else None


def choose_structure(page: Page, search: str, identifier: str) -> None:
    """The directory's combobox, with the keyboard: type, go down to the suggestion, Enter."""
    field = page.get_by_role("combobox", name=re.compile("^Structure"))
    field.fill("")
    field.press_sequentially(search)
    expect(page.get_by_role("listbox", name="Structure").get_by_role("option")).to_have_count(1)
    field.press("ArrowDown")
    field.press("Enter")
    expect(field).to_have_value(re.compile(f"^{identifier} – "))


def choose_new_manager(page: Page, account: Account) -> None:
    select = page.get_by_role("combobox", name=re.compile("^Nouveau gestionnaire"))
    option = select.locator("option", has_text=account.email)
    expect(option).to_have_count(1)
    select.select_option(option.get_attribute("value"))


def test_an_administrator_transfers_on_behalf_of_a_manager_then_appoints_one(
    page: Page, server: str, server_var_dir: Path, admin_api: httpx.Client
) -> None:
    # Set-up: Alix manages two structures; Bastien is attached to both, Chloé to the first only.
    alix = Account(server, server_var_dir, "Alix")
    bastien = Account(server, server_var_dir, "Bastien")
    chloe = Account(server, server_var_dir, "Chloé")
    alsace_id = alix.create_structure(ALSACE)
    imprimerie_id = alix.create_structure(IMPRIMERIE)
    for structure_id in (alsace_id, imprimerie_id):
        alix.attach(bastien.email, structure_id)
    alix.attach(chloe.email, alsace_id)

    log_in(page, ADMIN_EMAIL, DEMO_PASSWORD)
    # The tile, shown to administrators (and support agents) only.
    page.goto("/domaines/organisation")
    group = page.locator("#groupe-structures")
    group.get_by_role("link", name=TITLE, exact=True).click()
    expect(heading(page, TITLE)).to_be_visible()
    expect(page).to_have_title(f"{TITLE} — Portail Organisation")
    assert_accessible(page)

    # ---------------------------------------------------------------- on behalf of Alix: refused
    choose_structure(page, "alsace energies", ALSACE)
    expect(page).to_have_url(re.compile(r"structure="))
    expect(page.get_by_label("Gestionnaire principal actuel")).to_have_value(f"{alix.name} ({alix.email})")
    unit = page.get_by_role("radio", name=re.compile("^Transfert pour cette structure"))
    expect(unit).to_be_checked()
    # The radio group with the keyboard: the arrow moves to « Transfert global ».
    unit.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name=re.compile("^Transfert global"))).to_be_checked()
    for identifier in (ALSACE, IMPRIMERIE):
        expect(page.locator("#designer-form")).to_contain_text(identifier)
    choose_new_manager(page, chloe)
    assert_accessible(page)
    page.locator("#designer-form").get_by_role("button", name="Transférer", exact=True).click()
    dialog = page.get_by_role("dialog", name="Transférer le rôle de gestionnaire principal")
    expect(dialog).to_contain_text(f"remplacera {alix.name}")
    assert_accessible(page)
    dialog.get_by_role("button", name="Transférer", exact=True).click()
    # Chloé is not attached to the Imprimerie: nothing is transferred, and the alert names it.
    failure = page.locator("#designer-erreur")
    expect(failure.locator(".fr-alert--error")).to_contain_text(
        "Le gestionnaire principal n’a pas été changé"
    )
    expect(failure).to_contain_text(IMPRIMERIE)
    expect(failure).to_be_focused()
    expect(page.locator("#designer-nouveau-gestionnaire-erreur")).to_contain_text(IMPRIMERIE)
    assert_accessible(page)
    assert manager_of(admin_api, alsace_id) == alix.email
    assert manager_of(admin_api, imprimerie_id) == alix.email

    # ---------------------------------------------------------------- on behalf of Alix: done
    choose_new_manager(page, bastien)
    page.locator("#designer-form").get_by_role("button", name="Transférer", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Transférer", exact=True).click()
    done = page.locator("#designer-resultat")
    expect(done).to_contain_text("Gestionnaire principal transféré")
    expect(done).to_contain_text(f"{ALSACE} – ALSACE ENERGIES RENOUVELABLES : {bastien.name}")
    expect(done).to_contain_text(f"{IMPRIMERIE} – IMPRIMERIE DU NORD : {bastien.name}")
    expect(page.locator("#designer-erreur")).to_have_count(0)
    expect(page.get_by_label("Gestionnaire principal actuel")).to_have_value(
        f"{bastien.name} ({bastien.email})"
    )
    assert_accessible(page)
    assert manager_of(admin_api, alsace_id) == bastien.email
    assert manager_of(admin_api, imprimerie_id) == bastien.email

    # ---------------------------------------------------------------- Bastien leaves: appoint Chloé
    left = bastien.call("mutation($p: String!) { deactivateMyAccount(password: $p) { ok } }", {"p": PASSWORD})
    assert left["deactivateMyAccount"]["ok"], left
    assert manager_of(admin_api, alsace_id) is None
    page.reload()
    expect(
        page.get_by_text("Cette structure n’a pas de gestionnaire principal : désignez-en un.")
    ).to_be_visible()
    expect(page.get_by_label("Gestionnaire principal actuel")).to_have_count(0)
    expect(page.get_by_role("radio")).to_have_count(0)
    # Without a choice: said next to the field, which gets the focus.
    page.locator("#designer-form").get_by_role("button", name="Désigner", exact=True).click()
    new_manager = page.get_by_role("combobox", name=re.compile("^Nouveau gestionnaire"))
    expect(page.locator("#designer-nouveau-gestionnaire-erreur")).to_have_text(
        "Choisissez le nouveau gestionnaire."
    )
    expect(new_manager).to_be_focused()
    choose_new_manager(page, chloe)
    assert_accessible(page)
    page.locator("#designer-form").get_by_role("button", name="Désigner", exact=True).click()
    dialog = page.get_by_role("dialog", name="Désigner le gestionnaire principal")
    expect(dialog).to_contain_text(f"{chloe.last_name} {chloe.first_name}")
    dialog.get_by_role("button", name="Désigner", exact=True).click()
    done = page.locator("#designer-resultat")
    expect(done).to_contain_text("Gestionnaire principal désigné")
    expect(done).to_contain_text(f"{ALSACE} – ALSACE ENERGIES RENOUVELABLES : {chloe.name}")
    expect(page.get_by_label("Gestionnaire principal actuel")).to_have_value(f"{chloe.name} ({chloe.email})")
    assert_accessible(page)
    assert manager_of(admin_api, alsace_id) == chloe.email
    # The Imprimerie still has none.
    assert manager_of(admin_api, imprimerie_id) is None

    # The structure's activity, read by the administrator: the transfers and the manager's departure.
    page.goto(f"/organisation/utilisateurs/activites?structure={alsace_id}")
    expect(heading(page, "Activités du gestionnaire")).to_be_visible()
    expect(page.get_by_role("combobox", name=re.compile("^Structure"))).to_have_value(
        re.compile(f"^{ALSACE} – ")
    )
    rows = page.locator("#table-activites tbody tr")
    expect(rows.first.get_by_role("rowheader")).to_have_text("Transfert du gestionnaire principal")
    expect(rows.first).to_contain_text("Alex Admin")
    expect(rows.filter(has_text="Départ du gestionnaire principal")).to_have_count(1)
    expect(rows.filter(has_text="Transfert du gestionnaire principal")).to_have_count(2)
    assert_accessible(page)


def test_a_support_agent_sees_the_screen_and_a_manager_does_not(page: Page) -> None:
    log_in(page, SUPPORT_EMAIL, DEMO_PASSWORD)
    page.goto("/domaines/organisation")
    page.locator("#groupe-structures").get_by_role("link", name=TITLE, exact=True).click()
    expect(heading(page, TITLE)).to_be_visible()
    choose_structure(page, "boulangerie martin", "81234567600017")
    # Support agents appoint managers: they see the current one and the candidates.
    expect(page.get_by_label("Gestionnaire principal actuel")).to_have_value(
        re.compile(r"Camille Martin \(manager@demo\.portail\.fr\)")
    )
    expect(page.get_by_role("combobox", name=re.compile("^Nouveau gestionnaire"))).to_be_visible()
    expect(page.locator(".fr-alert--warning")).to_have_count(0)
    assert_accessible(page)
    page.goto("/recherche?q=gestionnaire")
    expect(page.get_by_role("link", name=TITLE, exact=True)).to_be_visible()

    page.context.clear_cookies()
    log_in(page, MANAGER_EMAIL, DEMO_PASSWORD)
    page.goto("/domaines/organisation")
    group = page.locator("#groupe-structures")
    expect(group.get_by_role("link", name="Gérer une structure", exact=True)).to_be_visible()
    expect(group.get_by_role("link", name=TITLE, exact=True)).to_have_count(0)
    expect(group.get_by_role("link")).to_have_count(11)
    page.goto("/recherche?q=gestionnaire")
    expect(page.get_by_role("link", name="Transférer le gestionnaire principal", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=TITLE, exact=True)).to_have_count(0)
    page.goto(PATH)
    expect(heading(page, TITLE)).to_be_visible()
    expect(page.locator(".fr-alert--warning")).to_contain_text("Cet écran est réservé")
    expect(page.get_by_role("combobox")).to_have_count(0)
    assert_accessible(page)
