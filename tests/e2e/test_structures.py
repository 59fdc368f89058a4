"""Browser tests of Organisation › Structures: the webinar's structure part, as a principal manager
(create a structure from its SIRET, modify its address, bank details with their RIB, documents,
duplication under a new SIRET, transfer of the manager role) and as a simple user (masked IBAN,
no modification).

The manager works on a structure this test creates (SIRETs of active establishments of
backend/seed/sirene_sample.csv that the demo does not use), so that the demo structures the other
browser tests rely on stay as they are.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from backend.seed.demo import ADMIN_EMAIL, DEMO_PASSWORD, MANAGER_EMAIL
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import heading, log_in, read_link_from_outbox

LEA_EMAIL = "lea.dubois@demo.portail.fr"
# Active in sirene_sample.csv, unused by the demo.
NEW_SIRET = "53456789600012"  # CABINET DUVAL EXPERTISE COMPTABLE, Nantes
DUPLICATE_SIRET = "54567890600011"  # MENUISERIE ROUSSEL, Toulouse
SERVICES_SIRET = "56789012400017"  # SOCIETE BERTRAND INGENIERIE
BOULANGERIE_SIRET = "81234567600017"
IBAN = "FR76 3000 6000 0112 3456 7890 189"
MASKED_IBAN = "FR76 **** **** **** **** **** 189"


# A 1×1 white PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff3f0005fe02fe"
    "a7d6a4d10000000049454e44ae426082"
)


def small_pdf(text: str) -> bytes:
    """A small but real one-page PDF showing `text` (ASCII)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def graphql(page: Page, query: str, variables: dict | None = None) -> dict:
    """Run an operation with the page's session (test set-up and checks, not the screens under test)."""
    response = page.request.post(
        "/graphql",
        data={"query": query, "variables": variables or {}},
        headers={"X-Requested-With": "portail"},
    )
    assert response.ok, response.text()
    return response.json()


def select(page: Page, label: str):
    """The select labelled `label` (its accessible name may go on with « * » and a hint)."""
    return page.get_by_role("combobox", name=re.compile(rf"^{re.escape(label)}\b"))


def choose_option(page: Page, label: str, text: str) -> None:
    """Choose the option containing `text` (a StructurePicker with few structures is a select)."""
    option = select(page, label).locator("option", has_text=text)
    expect(option).to_have_count(1)
    select(page, label).select_option(option.get_attribute("value"))


choose_structure = choose_option


def textbox(page: Page, label: str):
    """The text field labelled `label` (its accessible name may go on with « * » and a hint)."""
    return page.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}( \*)?(\s|$)"))


def submit(page: Page) -> None:
    page.locator("#contenu").get_by_role("button", name="Soumettre", exact=True).click()


def structure_id(page: Page, identifier: str) -> str:
    data = graphql(
        page,
        "query($t: IdentifierType!, $i: String!) { structure(identifierType: $t, identifier: $i) { id } }",
        {"t": "SIRET", "i": identifier},
    )
    return data["data"]["structure"]["id"]


def new_verified_account(server: str, var_dir: Path) -> tuple[str, str]:
    """A new account with a verified email (through the API), to attach and hand the manager role to:
    the demo users stay attached where the other browser tests expect them. Returns (email, last name)."""
    last_name = f"Successeur{uuid.uuid4().hex[:6]}"
    email = f"e2e-{last_name.lower()}@exemple.fr"

    def call(query: str, variables: dict) -> dict:
        response = httpx.post(
            f"{server}/graphql",
            json={"query": query, "variables": variables},
            headers={"X-Requested-With": "portail"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["data"]

    signed = call(
        "mutation($input: SignUpInput!) { signUp(input: $input) { errors { message } } }",
        {
            "input": {
                "email": email,
                "password": "Successeur-E2e-2026",
                "firstName": "Sacha",
                "lastName": last_name,
            }
        },
    )
    assert signed["signUp"]["errors"] == [], signed
    link = read_link_from_outbox(var_dir, email, "/verifier-email")
    token = link.split("jeton=", 1)[1]
    verified = call("mutation($t: String!) { verifyEmail(token: $t) { errors { message } } }", {"t": token})
    assert verified["verifyEmail"]["errors"] == [], verified
    return email, last_name


def test_a_principal_manager_walks_the_structure_screens(
    page: Page, tmp_path: Path, server: str, server_var_dir: Path
) -> None:
    successor_email, successor_name = new_verified_account(server, server_var_dir)
    log_in(page, MANAGER_EMAIL, DEMO_PASSWORD)

    # The Structures group of the Organisation domain: the webinar's eleven applications.
    page.goto("/domaines/organisation")
    group = page.locator("#groupe-structures")
    expect(group.get_by_role("link", name="Gérer une structure", exact=True)).to_be_visible()
    expect(group.get_by_role("link")).to_have_count(11)
    assert_accessible(page)

    # ---------------------------------------------------------------- Créer une structure
    group.get_by_role("link", name="Créer une structure", exact=True).click()
    expect(heading(page, "Créer une structure")).to_be_visible()
    expect(page).to_have_title("Créer une structure — Portail Organisation")
    expect(page.get_by_label("Type d’identifiant")).to_have_value("SIRET")
    page.get_by_label("Identifiant SIRET").fill(NEW_SIRET)
    page.get_by_role("button", name="Rechercher dans la base SIRENE").click()
    expect(page.get_by_text("Établissement actif trouvé dans la base SIRENE")).to_be_visible()
    expect(page.get_by_label("Raison sociale")).to_have_value("CABINET DUVAL EXPERTISE COMPTABLE")
    expect(page.get_by_label("Code postal")).to_have_value("44000")
    # The identifier field follows the identifier type.
    page.get_by_label("Type d’identifiant").select_option("RIDET")
    expect(page.get_by_label("Numéro RIDET")).to_be_visible()
    page.get_by_label("Type d’identifiant").select_option("SIRET")
    page.get_by_label("Identifiant SIRET").fill(NEW_SIRET)
    page.get_by_label("Adresse électronique").fill("contact@cabinet-duval.demo.portail.fr")
    assert_accessible(page)
    submit(page)
    created = page.locator("#creer-structure-resultat")
    expect(created).to_contain_text("Structure créée")
    expect(created).to_contain_text(NEW_SIRET)
    assert_accessible(page)

    # ---------------------------------------------------------------- Gérer une structure › Modifier
    created.get_by_role("link", name="Gérer cette structure").click()
    expect(heading(page, "Gérer une structure")).to_be_visible()
    expect(page.get_by_label("Raison sociale")).to_have_value("CABINET DUVAL EXPERTISE COMPTABLE")
    # Consultation: nothing editable, no submission.
    expect(page.locator("#structure-adresse-ligne1")).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Soumettre")).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Type de demande").select_option(label="Modifier une structure")
    expect(page.locator("#structure-adresse-ligne1")).not_to_have_attribute("readonly", "")
    # Greyed fields stay read-only.
    expect(page.get_by_label("Identifiant", exact=True)).to_have_attribute("readonly", "")
    expect(page.get_by_label("Statut")).to_have_attribute("readonly", "")
    page.locator("#structure-adresse-ligne1").fill("5 rue Crébillon")
    page.get_by_label("Complément d’adresse 1").fill("2e étage")
    page.get_by_label("Code postal").fill("44000")
    page.get_by_label("Ville").fill("Nantes")
    assert_accessible(page)
    submit(page)
    expect(page.locator("#gerer-structure-resultat")).to_contain_text(
        "Les modifications de la structure sont enregistrées."
    )
    # Read again from the server.
    page.reload()
    expect(page.locator("#structure-adresse-ligne1")).to_have_value("5 rue Crébillon")
    expect(page.get_by_label("Complément d’adresse 1")).to_have_value("2e étage")
    duval_id = structure_id(page, NEW_SIRET)

    # ---------------------------------------------------------------- Créer une coordonnée bancaire
    rib = tmp_path / "rib-duval.pdf"
    rib.write_bytes(small_pdf("RIB Cabinet Duval FR76 3000 6000 0112 3456 7890 189"))
    page.goto(f"/organisation/structures/coordonnees-bancaires/creer?structure={duval_id}")
    expect(heading(page, "Créer une coordonnée bancaire")).to_be_visible()
    page.get_by_label("Nom de coordonnée bancaire").fill("Compte principal")
    expect(select(page, "Structure")).to_have_value(duval_id)
    textbox(page, "IBAN").fill(IBAN)
    page.get_by_label("BIC ou SWIFT").fill("AGRIFRPP")
    # Without the RIB: said next to the field.
    submit(page)
    expect(page.locator(".fr-upload-group--error")).to_contain_text("Joignez votre RIB")
    page.get_by_label("RIB").set_input_files(rib)
    assert_accessible(page)
    submit(page)
    created = page.locator("#creer-coordonnee-resultat")
    expect(created).to_contain_text("Coordonnée bancaire créée")
    expect(created).to_contain_text(MASKED_IBAN)

    # ---------------------------------------------------------------- Gérer une coordonnée bancaire
    created.get_by_role("link", name="Gérer les coordonnées bancaires de la structure").click()
    expect(heading(page, "Gérer une coordonnée bancaire")).to_be_visible()
    expect(page.get_by_test_id("iban")).to_have_text(IBAN)
    expect(page.get_by_role("link", name=re.compile("Télécharger rib-duval.pdf"))).to_be_visible()
    expect(page.get_by_role("button", name="Modifier", exact=True)).to_be_visible()
    assert_accessible(page)

    # ---------------------------------------------------------------- Pièces jointes
    statuts = tmp_path / "statuts-duval.pdf"
    statuts.write_bytes(small_pdf("Statuts du Cabinet Duval"))
    page.goto(f"/organisation/structures/pieces-jointes?structure={duval_id}")
    expect(heading(page, "Pièces jointes d'une structure")).to_be_visible()
    expect(page.get_by_text("Aucune pièce jointe.")).to_be_visible()
    page.get_by_label("Ajouter des pièces jointes").set_input_files(statuts)
    submit(page)
    expect(page.locator("#pieces-jointes-resultat")).to_contain_text("« statuts-duval.pdf » est ajoutée")
    row = page.get_by_role("row", name=re.compile("statuts-duval.pdf"))
    expect(row).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        row.get_by_role("link", name="Télécharger statuts-duval.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "statuts-duval.pdf"
    assert Path(download.path()).read_bytes() == statuts.read_bytes()

    row.get_by_role("button", name="Supprimer statuts-duval.pdf").click()
    dialog = page.get_by_role("dialog", name="Supprimer la pièce jointe")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("statuts-duval.pdf")
    assert_accessible(page)
    # Escape cancels: the document is still there.
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(row).to_be_visible()
    row.get_by_role("button", name="Supprimer statuts-duval.pdf").click()
    page.get_by_role("dialog").get_by_role("button", name="Supprimer", exact=True).click()
    expect(page.locator("#pieces-jointes-resultat")).to_contain_text("« statuts-duval.pdf » est supprimée")
    expect(page.get_by_text("Aucune pièce jointe.")).to_be_visible()

    # The successor joins the structure (set-up through the API; the Utilisateurs screens have their
    # own tests), so that the role can be handed to them after the duplication.
    attached = graphql(
        page,
        "mutation($input: AttachUserInput!) { attachUser(input: $input) { membership { id } errors { message } } }",
        {"input": {"email": successor_email, "structureId": duval_id}},
    )
    assert attached["data"]["attachUser"]["errors"] == [], attached

    # ---------------------------------------------------------------- Dupliquer une structure
    page.goto("/organisation/structures/dupliquer")
    expect(heading(page, "Dupliquer une structure")).to_be_visible()
    choose_structure(page, "Ancien identifiant structure", NEW_SIRET)
    # A SIRET the portal already knows.
    page.get_by_label("Identifiant SIRET").fill(BOULANGERIE_SIRET)
    page.get_by_role("button", name="Vérifier le SIRET").click()
    expect(page.get_by_text("Cette structure est déjà présente dans le portail")).to_be_visible()
    page.get_by_label("Identifiant SIRET").fill(DUPLICATE_SIRET)
    page.get_by_role("button", name="Vérifier le SIRET").click()
    expect(page.get_by_text("Cette structure n’est pas présente dans le portail.")).to_be_visible()
    expect(page.get_by_label("Nouvelle raison sociale")).to_have_value("MENUISERIE ROUSSEL")
    expect(page.get_by_label("Ville")).to_have_value("TOULOUSE")
    expect(page.get_by_label("Adresse électronique")).to_have_value("contact@cabinet-duval.demo.portail.fr")
    expect(page.get_by_label("Type de structure")).to_have_value("Privée")
    assert_accessible(page)
    submit(page)
    done = page.locator("#dupliquer-resultat")
    expect(done).to_contain_text("Structure dupliquée")
    expect(done).to_contain_text(DUPLICATE_SIRET)
    roussel_id = structure_id(page, DUPLICATE_SIRET)
    origin = graphql(
        page, "query($id: ID!) { structure(id: $id) { status duplicates { id } } }", {"id": duval_id}
    )
    assert origin["data"]["structure"] == {"status": "INACTIVE", "duplicates": [{"id": roussel_id}]}

    # ---------------------------------------------------------------- Transférer le gestionnaire principal
    page.goto("/organisation/structures/transferer-gestionnaire")
    expect(heading(page, "Transférer le gestionnaire principal")).to_be_visible()
    for mode in ("Transfert unitaire", "Transfert global", "Transfert à sélection multiple"):
        expect(page.get_by_role("radio", name=re.compile(f"^{mode}"))).to_have_count(1)
    page.get_by_text("Transfert à sélection multiple").click()
    expect(page.get_by_role("checkbox", name=re.compile(DUPLICATE_SIRET))).to_be_visible()
    page.get_by_text("Transfert unitaire").click()
    choose_option(page, "Structure", DUPLICATE_SIRET)
    choose_option(page, "Nouveau gestionnaire", successor_email)
    assert_accessible(page)
    submit(page)
    dialog = page.get_by_role("dialog", name="Transférer le rôle de gestionnaire principal")
    expect(dialog).to_contain_text(f"{successor_name} Sacha")
    dialog.get_by_role("button", name="Transférer").click()
    result = page.locator("#transferer-resultat")
    expect(result).to_contain_text("Gestionnaire principal transféré")
    expect(result).to_contain_text(f"{DUPLICATE_SIRET} – MENUISERIE ROUSSEL : Sacha {successor_name}")
    assert_accessible(page)

    # The former manager now consults the structure only.
    page.goto(f"/organisation/structures/gerer?structure={roussel_id}")
    expect(page.get_by_label("Gestionnaire principal")).to_have_value(f"Sacha {successor_name}")
    expect(
        page.get_by_label("Type de demande").locator("option", has_text="Modifier une structure")
    ).to_have_count(0)


def test_a_simple_user_sees_the_iban_masked_and_no_modify_action(page: Page) -> None:
    # Set-up through the API: the manager gives Boulangerie Martin et Fils bank details with a RIB.
    logged = graphql(
        page,
        "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { errors { message } } }",
        {"e": MANAGER_EMAIL, "p": DEMO_PASSWORD},
    )
    assert logged["data"]["logIn"]["errors"] == [], logged
    boulangerie_id = structure_id(page, BOULANGERIE_SIRET)
    operations = {
        "query": "mutation($input: CreateBankAccountInput!) { createBankAccount(input: $input) "
        "{ bankAccount { id } errors { message } } }",
        "variables": {
            "input": {
                "structureId": boulangerie_id,
                "name": "Compte de la boulangerie",
                "iban": IBAN,
                "bic": "AGRIFRPP",
                "ribDocument": None,
            }
        },
    }
    response = page.request.post(
        "/graphql",
        multipart={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.ribDocument"]}),
            "0": {"name": "rib-boulangerie.pdf", "mimeType": "application/pdf", "buffer": small_pdf("RIB")},
        },
        headers={"X-Requested-With": "portail"},
    )
    assert response.ok, response.text()
    assert response.json()["data"]["createBankAccount"]["errors"] == [], response.text()
    graphql(page, "mutation { logOut { ok } }")

    # Léa holds Organisation consultation on the Boulangerie.
    log_in(page, LEA_EMAIL, DEMO_PASSWORD)
    page.goto("/organisation/structures/coordonnees-bancaires/gerer")
    expect(heading(page, "Gérer une coordonnée bancaire")).to_be_visible()
    choose_structure(page, "Structure", BOULANGERIE_SIRET)
    choose_option(page, "Compte bancaire", "Compte de la boulangerie")
    expect(page.get_by_test_id("iban")).to_have_text(MASKED_IBAN)
    expect(page.get_by_text("l’IBAN est masqué")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Télécharger rib"))).to_have_count(0)
    expect(page.get_by_role("button", name="Modifier")).to_have_count(0)
    expect(page.get_by_role("button", name="Désactiver")).to_have_count(0)
    assert_accessible(page)

    # Gérer une structure: consultation only.
    page.goto("/organisation/structures/gerer")
    choose_structure(page, "Identifiant", BOULANGERIE_SIRET)
    expect(page.get_by_label("Raison sociale")).to_have_value("Boulangerie Martin et Fils")
    expect(page.get_by_text("seule la consultation est possible")).to_be_visible()
    options = page.get_by_label("Type de demande").locator("option")
    expect(options).to_have_text(["Sélectionner un type de demande", "Consulter / Rechercher une structure"])
    expect(page.get_by_role("button", name="Soumettre")).to_have_count(0)
    expect(page.locator("#structure-adresse-ligne1")).to_have_attribute("readonly", "")
    assert_accessible(page)

    # Pièces jointes: the list, without the upload form nor the delete buttons.
    page.goto("/organisation/structures/pieces-jointes")
    choose_structure(page, "Structure", BOULANGERIE_SIRET)
    expect(page.get_by_role("heading", name="Pièces jointes de la structure")).to_be_visible()
    expect(page.get_by_label("Ajouter des pièces jointes")).to_have_count(0)
    assert_accessible(page)


def test_an_administrator_finds_a_structure_in_the_directory_with_the_keyboard(page: Page) -> None:
    log_in(page, ADMIN_EMAIL, DEMO_PASSWORD)
    page.goto("/organisation/structures/gerer")
    expect(heading(page, "Gérer une structure")).to_be_visible()
    # The whole directory: a combobox that searches as one types.
    search = page.get_by_role("combobox", name=re.compile("^Identifiant"))
    search.focus()
    search.press_sequentially("boulangerie")
    listbox = page.get_by_role("listbox", name="Identifiant")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(search).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)
    search.press("ArrowDown")
    expect(search).to_have_attribute("aria-activedescendant", re.compile("-0$"))
    search.press("Enter")
    expect(search).to_have_value(re.compile(f"^{BOULANGERIE_SIRET} – Boulangerie Martin et Fils"))
    expect(page).to_have_url(re.compile(r"structure="))
    expect(textbox(page, "Raison sociale")).to_have_value("Boulangerie Martin et Fils")
    expect(textbox(page, "Gestionnaire principal")).to_have_value("Camille Martin")
    # An administrator may do every request.
    expect(page.get_by_label("Type de demande").locator("option")).to_have_count(6)
    assert_accessible(page)


def test_a_principal_manager_creates_and_manages_a_service_and_bank_details_by_parts(
    page: Page, tmp_path: Path
) -> None:
    log_in(page, MANAGER_EMAIL, DEMO_PASSWORD)
    made = graphql(
        page,
        "mutation($input: CreateStructureInput!) { createStructure(input: $input) "
        "{ structure { id } errors { message } } }",
        {"input": {"identifierType": "SIRET", "identifier": SERVICES_SIRET}},
    )
    assert made["data"]["createStructure"]["errors"] == [], made
    bertrand_id = made["data"]["createStructure"]["structure"]["id"]

    # ---------------------------------------------------------------- Créer un service
    page.goto(f"/organisation/structures/services/creer?structure={bertrand_id}")
    expect(heading(page, "Créer un service")).to_be_visible()
    textbox(page, "Code du service").fill("ETUDES")
    textbox(page, "Nom du service").fill("Bureau d’études")
    textbox(page, "Description").fill("Études de structure et de fluides.")
    page.get_by_label("Date de début de validité").fill("2026-01-01")
    page.get_by_text("Le service a sa propre adresse postale").click()
    textbox(page, "Adresse").fill("1 allée des Ingénieurs")
    textbox(page, "Code postal").fill("33000")
    textbox(page, "Ville").fill("Bordeaux")
    assert_accessible(page)
    submit(page)
    created = page.locator("#creer-service-resultat")
    expect(created).to_contain_text("Le service ETUDES – Bureau d’études est créé.")
    # The same code again: the API's message, next to the field.
    textbox(page, "Code du service").fill("ETUDES")
    textbox(page, "Nom du service").fill("Doublon")
    submit(page)
    expect(page.locator("#creer-service-code-erreur")).not_to_be_empty()
    assert_accessible(page)

    # ---------------------------------------------------------------- Gérer un service
    page.goto(f"/organisation/structures/services/gerer?structure={bertrand_id}")
    expect(heading(page, "Gérer un service")).to_be_visible()
    choose_option(page, "Service", "ETUDES")
    expect(textbox(page, "Nom du service")).to_have_value("Bureau d’études")
    expect(textbox(page, "Nom du service")).to_have_attribute("readonly", "")
    page.get_by_label("Type de demande").select_option(label="Modifier un service")
    textbox(page, "Nom du service").fill("Bureau d’études techniques")
    submit(page)
    expect(page.locator("#gerer-service-resultat")).to_contain_text(
        "Les modifications du service sont enregistrées."
    )
    page.get_by_label("Type de demande").select_option(label="Désactiver un service")
    page.get_by_role("button", name="Désactiver le service").click()
    dialog = page.get_by_role("dialog", name="Désactiver le service")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Désactiver", exact=True).click()
    expect(page.locator("#gerer-service-resultat")).to_contain_text("Le service est désactivé.")
    expect(page.get_by_role("heading", name="Service ETUDES (inactif)")).to_be_visible()

    # ---------------------------------------------------------------- bank details: country + BBAN + key
    rib = tmp_path / "rib-bertrand.png"
    rib.write_bytes(PNG)
    page.goto(f"/organisation/structures/coordonnees-bancaires/creer?structure={bertrand_id}")
    textbox(page, "Nom de coordonnée bancaire").fill("Compte d’affacturage")
    page.locator("label[for=coordonnee-affactureur]").click()
    expect(page.get_by_role("checkbox", name=re.compile("^Affactureur"))).to_be_checked()
    page.get_by_text("Pays, identification nationale du compte (BBAN) et clé IBAN").click()
    choose_option(page, "Pays", "France")
    textbox(page, "Identification nationale du compte bancaire (BBAN)").fill("30006000011234567890189")
    textbox(page, "Clé IBAN").fill("00")
    page.get_by_label("RIB").set_input_files(rib)
    submit(page)
    # A wrong key: the API's message next to a field or in the alert, nothing created.
    expect(page.locator(".fr-input-group--error, .fr-alert--error").first).to_be_visible()
    expect(page.locator("#creer-coordonnee-resultat")).to_have_count(0)
    assert_accessible(page)
    textbox(page, "Clé IBAN").fill("76")
    page.get_by_label("RIB").set_input_files(rib)
    submit(page)
    expect(page.locator("#creer-coordonnee-resultat")).to_contain_text(MASKED_IBAN)
