"""The webinar's support part in Chromium: Support › Créer un ticket, Tickets émis, Tickets reçus and
a ticket's page.

The principal manager of the private structures creates a business ticket about an invoice for a
public structure (the hospital's purchasing service) and sees it in En cours; the hospital's agent
asks for information; the issuer finds it in Actions requises and answers; the agent resolves it;
the issuer closes it, finds it in Clôturés, searches it by keyword and exports the tab (CSV and
XLSX, read back). Every screen visited is checked with axe-core.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from backend.seed.demo import DEMO_PASSWORD, MANAGER_EMAIL
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import header_button, heading, log_in

RECIPIENT_EMAIL = "nadia.robert@demo.portail.fr"
ISSUER = "84561237300017 – Atelier Numérique du Rhône"
ISSUER_EMAIL = "factures@atelier-numerique.demo.portail.fr"
HOSPITAL_SIRET = "26450001800017"
TICKET_NUMBER = re.compile(r"CPROCS\d{7}")


def log_out(page: Page) -> None:
    header_button(page, "Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion"))


def open_screen(page: Page, path: str, title: str) -> None:
    page.goto(path)
    expect(heading(page, title)).to_be_visible()
    expect(page).to_have_title(f"{title} — Portail Organisation")


def status_is(page: Page, label: str) -> None:
    """The status shown under the ticket's title."""
    expect(page.locator("#contenu .fr-badge").first).to_have_text(re.compile(re.escape(label), re.I))


def ticket_row(page: Page, number: str):
    return page.locator(f"tr[data-ticket='{number}']")


def act(page: Page, button: str, field: str | None, text: str | None, confirm: str) -> None:
    """An action of the ticket's page: its button opens a dialog (a text to give), then confirm."""
    page.locator("#contenu").get_by_role("button", name=button, exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    if field is not None:
        dialog.get_by_label(field).fill(text or "")
    assert_accessible(page)
    dialog.get_by_role("button", name=confirm, exact=True).click()
    expect(dialog).to_be_hidden()


def open_ticket(page: Page, number: str) -> None:
    page.goto(f"/support/tickets/{number}")
    expect(heading(page, f"Ticket {number}")).to_be_visible()
    expect(page).to_have_title(f"Ticket {number} — Portail Organisation")


def create_business_ticket(page: Page, title: str, invoice: str, tmp_path: Path) -> str:
    open_screen(page, "/support/tickets/creer", "Créer un ticket")
    assert_accessible(page)
    # Before the sub-category, neither the recipient nor the object.
    expect(page.locator("#ticket-destinataire")).to_have_count(0)
    expect(page.locator("#ticket-numero-objet")).to_have_count(0)

    page.locator("#ticket-categorie").select_option(label="Factures émises")
    page.locator("#ticket-sous-categorie").select_option(
        label="M - Question pour le destinataire de ma facture"
    )
    # The business sub-category about an invoice asks for the recipient and the invoice.
    expect(page.get_by_role("heading", name="Organisation destinataire")).to_be_visible()
    expect(page.locator("#ticket-type-objet")).to_have_value(re.compile("FACTURE"))
    page.locator("#ticket-numero-objet").fill(invoice)

    recipient = page.locator("#ticket-destinataire")
    recipient.fill("Centre hospitalier")
    page.get_by_role("option", name=re.compile(HOSPITAL_SIRET)).click()
    expect(recipient).to_have_value(re.compile(HOSPITAL_SIRET))
    service = page.locator("#ticket-service-destinataire")
    expect(service).to_be_enabled()
    service.select_option(label="ACHATS – Service des achats")

    page.locator("#ticket-emetteur").select_option(label=ISSUER)
    expect(page.locator("#ticket-designation")).to_have_value("Atelier Numérique du Rhône")
    expect(page.locator("#ticket-email")).to_have_value(ISSUER_EMAIL)

    page.locator("#ticket-titre").fill(title)
    page.locator("#ticket-description").fill(
        f"Bonjour, notre facture {invoice} n'est toujours pas payée. Pouvez-vous nous dire où elle en est ?"
    )
    page.locator("#ticket-pieces-jointes").set_input_files(
        files=[{"name": "releve.txt", "mimeType": "text/plain", "buffer": b"Facture impayee\n"}]
    )
    expect(page.get_by_text("releve.txt")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Soumettre", exact=True).click()
    expect(page).to_have_url(re.compile(r"/support/tickets/CPROCS\d{7}$"))
    number = TICKET_NUMBER.search(page.url).group(0)
    expect(heading(page, f"Ticket {number}")).to_be_visible()
    expect(page.get_by_text(f"Le ticket {number} a été soumis.")).to_be_visible()
    return number


def test_a_business_ticket_from_creation_to_closing(page: Page, tmp_path: Path) -> None:
    keyword = f"zorglub{uuid.uuid4().hex[:6]}"
    title = f"Facture impayée {keyword}"
    invoice = f"FAC-E2E-{uuid.uuid4().hex[:6].upper()}"

    # The issuer creates the ticket, and sees it in En cours.
    log_in(page, MANAGER_EMAIL, DEMO_PASSWORD)
    number = create_business_ticket(page, title, invoice, tmp_path)
    status_is(page, "Ouvert")
    assert_accessible(page)
    content = page.locator("section", has=page.get_by_role("heading", name="Contenu du ticket"))
    expect(content).to_contain_text(HOSPITAL_SIRET)
    expect(content).to_contain_text("Service des achats")
    expect(page.locator("section", has=page.get_by_role("heading", name="Pièces jointes"))).to_contain_text(
        "releve.txt"
    )

    open_screen(page, "/support/tickets/emis?onglet=en-cours", "Tickets émis")
    expect(page.get_by_role("tab", name="En cours")).to_have_attribute("aria-selected", "true")
    expect(ticket_row(page, number)).to_contain_text(title)
    expect(ticket_row(page, number)).to_contain_text("Ouvert")
    assert_accessible(page)
    log_out(page)

    # The recipient finds it in Tickets reçus and asks for information.
    log_in(page, RECIPIENT_EMAIL, DEMO_PASSWORD)
    open_screen(page, "/support/tickets/recus", "Tickets reçus")
    expect(ticket_row(page, number)).to_contain_text("Atelier Numérique du Rhône")
    assert_accessible(page)
    ticket_row(page, number).get_by_role("link", name=number).click()
    expect(heading(page, f"Ticket {number}")).to_be_visible()
    assert_accessible(page)
    act(
        page,
        "Demander des informations",
        "Informations demandées",
        "Merci de joindre le bon de commande.",
        "Envoyer la demande",
    )
    status_is(page, "En attente d’informations")
    log_out(page)

    # The issuer finds it in Actions requises (the default tab) and answers.
    log_in(page, MANAGER_EMAIL, DEMO_PASSWORD)
    open_screen(page, "/support/tickets/emis", "Tickets émis")
    expect(page.get_by_role("tab", name="Actions requises")).to_have_attribute("aria-selected", "true")
    row = ticket_row(page, number)
    expect(row).to_contain_text("En attente d’informations")
    row.get_by_role("link", name=number).click()
    expect(heading(page, f"Ticket {number}")).to_be_visible()
    expect(page.get_by_text("Merci de joindre le bon de commande.")).to_be_visible()
    act(
        page,
        "Transmettre les informations",
        "Informations",
        "Le bon de commande est le BC-2026-118.",
        "Transmettre",
    )
    status_is(page, "Ouvert")
    log_out(page)

    # The recipient resolves it.
    log_in(page, RECIPIENT_EMAIL, DEMO_PASSWORD)
    open_ticket(page, number)
    expect(page.get_by_text("Le bon de commande est le BC-2026-118.")).to_be_visible()
    act(page, "Résoudre le ticket", "Solution", "La facture sera payée le 15 du mois.", "Résoudre")
    status_is(page, "Résolu")
    log_out(page)

    # The issuer closes it: the history holds every step, in order.
    log_in(page, MANAGER_EMAIL, DEMO_PASSWORD)
    open_ticket(page, number)
    expect(page.get_by_text("La facture sera payée le 15 du mois.")).to_be_visible()
    assert_accessible(page)
    act(page, "Fermer le ticket", None, None, "Fermer le ticket")
    status_is(page, "Fermé")
    kinds = page.locator("[data-activite]").evaluate_all("items => items.map(item => item.dataset.activite)")
    assert kinds == ["CREATED", "INFORMATION_REQUESTED", "INFORMATION_PROVIDED", "RESOLVED", "CLOSED"], kinds
    # A closed ticket takes neither comments nor attachments.
    expect(page.get_by_label("Votre commentaire")).to_have_count(0)
    expect(page.locator("#ticket-nouvelles-pieces")).to_have_count(0)

    # Clôturés lists it; the keyword search finds it alone.
    open_screen(page, "/support/tickets/emis", "Tickets émis")
    page.get_by_role("tab", name="Clôturés").click()
    expect(page).to_have_url(re.compile(r"onglet=clotures"))
    expect(ticket_row(page, number)).to_contain_text("Fermé")
    page.get_by_label("Recherche par mot clé").fill(keyword)
    page.get_by_label("Recherche par mot clé").press("Enter")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(ticket_row(page, number)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="1 - 1 sur 1 ticket")).to_be_visible()
    assert_accessible(page)

    # The export holds the filtered tab, whatever the page.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter le tableau (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Numéro", "Description brève", "Créé le"], rows[0]
    assert [row[0] for row in rows[1:]] == [number], rows
    assert rows[1][1] == title
    assert "Fermé" in rows[1]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter le tableau (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Numéro"
    assert [row[0] for row in values[1:]] == [number]

    # « Réinitialiser les filtres » brings back the whole tab.
    page.get_by_role("button", name="Réinitialiser les filtres").click()
    expect(page.get_by_label("Recherche par mot clé")).to_have_value("")
    expect(page).not_to_have_url(re.compile(r"recherche="))


def test_the_form_follows_the_sub_category_and_keeps_a_draft(page: Page) -> None:
    title = f"Brouillon {uuid.uuid4().hex[:8]}"
    log_in(page, MANAGER_EMAIL, DEMO_PASSWORD)
    open_screen(page, "/support/tickets/creer", "Créer un ticket")

    # A support sub-category: neither recipient nor object.
    page.locator("#ticket-categorie").select_option(label="Organisation")
    page.locator("#ticket-sous-categorie").select_option(label="Gestion des habilitations")
    expect(page.get_by_role("heading", name="Organisation destinataire")).to_have_count(0)
    expect(page.locator("#ticket-numero-objet")).to_have_count(0)

    # A business one about a refund request: the recipient and the object appear.
    page.locator("#ticket-categorie").select_option(label="Remboursement TIC")
    page.locator("#ticket-sous-categorie").select_option(label="M - Question sur une demande rejetée")
    expect(page.get_by_role("heading", name="Organisation destinataire")).to_be_visible()
    expect(page.locator("#ticket-type-objet")).to_have_value("DEMANDE_REMBOURSEMENT")

    # Submitting without the recipient nor the number: the fields say what is missing.
    page.locator("#ticket-emetteur").select_option(label=ISSUER)
    page.locator("#ticket-titre").fill(title)
    page.locator("#ticket-description").fill("À compléter.")
    page.get_by_role("button", name="Soumettre", exact=True).click()
    expect(page.get_by_text("Choisissez la structure destinataire dans l’annuaire.")).to_be_visible()
    expect(page.get_by_text("Indiquez le numéro de l’objet concerné.")).to_be_visible()
    assert_accessible(page)

    # An incomplete ticket may be kept as a draft, found in Brouillons, and deleted.
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Le brouillon a été enregistré.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"brouillon="))

    open_screen(page, "/support/tickets/emis?onglet=brouillons", "Tickets émis")
    expect(page.get_by_role("tab", name="Brouillons")).to_have_attribute("aria-selected", "true")
    page.get_by_role("link", name=title).click()
    expect(heading(page, "Créer un ticket")).to_be_visible()
    expect(page.locator("#ticket-titre")).to_have_value(title)
    expect(page.locator("#ticket-sous-categorie")).to_have_value(re.compile(".+"))
    page.get_by_role("button", name="Supprimer le brouillon").click()
    page.get_by_role("dialog").get_by_role("button", name="Supprimer le brouillon").click()
    expect(heading(page, "Tickets émis")).to_be_visible()
    expect(page.get_by_text("Le brouillon a été supprimé.")).to_be_visible()
    expect(page.get_by_role("link", name=title)).to_have_count(0)
