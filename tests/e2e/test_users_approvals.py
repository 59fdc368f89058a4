"""The webinar's user part in Chromium: Organisation › Utilisateurs and Approbations.

A new user asks to join a structure; the principal manager sees the pending count in the header,
opens the approval and approves it, removes two of the user's profiles; the user asks for a profile
back, the manager refuses with a reason; the manager detaches the user with a comment. The user
receives three notifications (approved, refused, detached), read from the server's outbox. Every
screen visited is checked with axe-core.
"""

from __future__ import annotations

import email.policy
import re
import time
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from playwright.sync_api import Page, expect

from backend.seed.demo import DEMO_PASSWORD, MANAGER_EMAIL
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import header_button, heading, log_in
from tests.e2e.test_accounts import PASSWORD, sign_up_verify_and_log_in

STRUCTURE = "Boulangerie Martin et Fils"
SIRET = "81234567600017"
REMOVED = ("Engagements modification", "Marchés (passation) modification")


def unique_email() -> str:
    return f"e2e-rattachement-{uuid.uuid4().hex[:8]}@exemple.fr"


def log_out(page: Page) -> None:
    header_button(page, "Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion\?deconnexion=1$"))


def approvals_link(page: Page):
    """The header's « Approbations » quick link, with the pending count in a badge."""
    return page.locator(".fr-header__tools-links > a.portail-approvals-link")


def pending_count(page: Page) -> int:
    badge = approvals_link(page).locator(".fr-badge")
    # The badge shows 0 until its first refresh; the manager has requests waiting, so wait for them.
    expect(badge).to_have_text(re.compile(r"^[1-9]\d*"))
    return int(re.match(r"\d+", badge.inner_text()).group(0))


def choose_structure(page: Page, field_id: str, text: str) -> None:
    """The StructurePicker: a select (few structures of mine) or a search combobox (the directory)."""
    field = page.locator(f"#{field_id}")
    expect(field).to_be_enabled()
    if field.evaluate("element => element.tagName") == "SELECT":
        label = field.locator("option", has_text=text).first.inner_text().strip()
        field.select_option(label=label)
    else:
        field.fill(text)
        page.get_by_role("option", name=re.compile(re.escape(text))).first.click()


def open_screen(page: Page, path: str, title: str) -> None:
    page.goto(path)
    expect(heading(page, title)).to_be_visible()
    expect(page).to_have_title(f"{title} — Portail Organisation")


def mails_to(var_dir: Path, to: str, count: int, *, timeout: float = 15.0) -> list[EmailMessage]:
    """The mails to `to` in the outbox, oldest first, once there are at least `count` of them."""
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for path in (var_dir / "outbox").glob("*.eml"):
            message = BytesParser(policy=email.policy.default).parse(path.open("rb"))
            if to.lower() in str(message["To"]).lower():
                found.append((path.stat().st_mtime, message))
        if len(found) >= count:
            return [message for _, message in sorted(found, key=lambda item: item[0])]
        if time.monotonic() > deadline:
            subjects = [str(message["Subject"]) for _, message in found]
            raise AssertionError(f"expected {count} mails to {to}, found {subjects}")
        time.sleep(0.2)


def open_request_of(page: Page, last_name: str) -> str:
    """From the approvals list: search the requester and open their request; returns its number."""
    page.locator("#approbations-recherche").fill(last_name)
    row = page.locator("#table-approbations tbody tr", has_text=last_name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Demandée")
    expect(row).to_contain_text(SIRET)
    expect(row).to_contain_text(STRUCTURE)
    row.get_by_role("link").click()
    title = page.get_by_role("heading", level=1, name=re.compile(r"^Approbation RITM\d+$"))
    expect(title).to_be_visible()
    number = title.inner_text().split()[-1]
    expect(page).to_have_title(f"Approbation {number} — Portail Organisation")
    return number


def test_request_approve_restrict_refuse_and_detach(page: Page, server_var_dir: Path) -> None:
    user_email = unique_email()
    last_name = f"Rattachement{uuid.uuid4().hex[:6]}"
    full_name = f"Alice {last_name}"

    # ---------------------------------------------------------------- the new user asks to join
    sign_up_verify_and_log_in(page, server_var_dir, user_email, first_name="Alice", last_name=last_name)
    open_screen(
        page, "/organisation/utilisateurs/demander-rattachement", "Demander un rattachement à une structure"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Soumettre").click()
    expect(page.locator("#demande-structure-erreur, .fr-error-text").first).to_be_visible()
    choose_structure(page, "demande-structure", STRUCTURE)
    page.get_by_label("Commentaire (facultatif)").fill("Je rejoins l’équipe de la boutique.")
    page.get_by_role("button", name="Soumettre").click()
    expect(page.locator("#demande-resultat")).to_contain_text("est envoyée au gestionnaire principal")
    pending = page.locator(
        "section", has=page.get_by_role("heading", name="Mes demandes de rattachement en attente")
    )
    expect(pending.locator("tbody tr")).to_have_count(1)
    expect(pending).to_contain_text(STRUCTURE)
    assert_accessible(page)
    log_out(page)

    # ---------------------------------------------------------------- the manager approves it
    log_in(page, MANAGER_EMAIL, DEMO_PASSWORD)
    expect(approvals_link(page)).to_be_visible()
    before = pending_count(page)
    assert before >= 1
    approvals_link(page).click()
    expect(heading(page, "Approbations")).to_be_visible()
    expect(page).to_have_title("Approbations — Portail Organisation")
    expect(page.locator("#table-approbations")).to_be_visible()
    expect(page.get_by_role("link", name="Exporter les approbations (CSV)")).to_be_visible()
    assert_accessible(page)

    number = open_request_of(page, last_name)
    expect(page.locator("#contenu")).to_contain_text("Camille Martin")  # approver
    expect(page.locator("#contenu")).to_contain_text(full_name)  # requester
    expect(page.locator("#contenu")).to_contain_text("Je rejoins l’équipe de la boutique.")
    assert_accessible(page)
    page.get_by_role("button", name="Approuver").click()
    expect(heading(page, "Approbations")).to_be_visible()
    expect(page.locator("#approbations-message")).to_contain_text(f"La demande {number} est approuvée")
    expect(approvals_link(page).locator(".fr-badge")).to_have_text(re.compile(rf"^{before - 1}\b"))
    assert_accessible(page)

    # ---------------------------------------------------------------- the manager removes two profiles
    open_screen(page, "/organisation/utilisateurs/habilitations", "Gérer les habilitations des utilisateurs")
    choose_structure(page, "habilitations-structure", STRUCTURE)
    user_select = page.locator("#habilitations-utilisateur")
    expect(user_select.locator("option", has_text=last_name)).to_have_count(1)
    user_select.select_option(label=user_select.locator("option", has_text=last_name).inner_text().strip())
    rows = page.locator("#table-habilitations tbody tr")
    expect(rows.filter(has_text="Organisation consultation")).to_have_count(1)
    initial = rows.count()
    assert initial >= 10, initial
    assert_accessible(page)
    for index, profile in enumerate(REMOVED, start=1):
        page.get_by_role("button", name=f"Supprimer le profil {profile} de {full_name}").click()
        expect(page.locator("#habilitations-message")).to_contain_text(f"« {profile} »")
        expect(rows).to_have_count(initial - index)
        expect(rows.filter(has_text=profile)).to_have_count(0)

    # Adding a profile the user holds is refused with the portal's sentence.
    page.locator("#habilitations-profil").select_option(label="Organisation consultation")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.locator("#habilitations-erreurs")).to_contain_text(
        "L'utilisateur a déjà l'abonnement sélectionné"
    )

    # The pencil: replace a profile in a dialog.
    page.get_by_role("button", name=f"Modifier le profil Factures reçues modification de {full_name}").click()
    dialog = page.get_by_role("dialog", name="Modifier la ligne")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_label("Profil").select_option(label="Factures reçues consultation")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#habilitations-message")).to_contain_text("« Factures reçues consultation »")
    expect(rows.filter(has_text="Factures reçues consultation")).to_have_count(1)
    log_out(page)

    # ---------------------------------------------------------------- the user asks for a profile back
    log_in(page, user_email, PASSWORD)
    open_screen(page, "/organisation/utilisateurs/mes-habilitations", "Gérer mes habilitations")
    scope = page.locator("#mes-habilitations-rattachement")
    scope.select_option(label=scope.locator("option", has_text=STRUCTURE).inner_text().strip())
    add = page.locator("fieldset", has=page.get_by_text("Profils à ajouter"))
    add.locator("label", has_text=REMOVED[0]).click()
    expect(add.get_by_label(REMOVED[0], exact=True)).to_be_checked()
    page.get_by_label("Commentaire").fill("J’en ai besoin pour suivre les commandes.")
    assert_accessible(page)
    page.get_by_role("button", name="Soumettre la demande").click()
    expect(page.locator("#mes-habilitations-resultat")).to_contain_text("est envoyée aux gestionnaires")
    log_out(page)

    # ---------------------------------------------------------------- the manager refuses it
    log_in(page, MANAGER_EMAIL, DEMO_PASSWORD)
    expect(approvals_link(page).locator(".fr-badge")).to_have_text(re.compile(rf"^{before}\b"))
    approvals_link(page).click()
    expect(heading(page, "Approbations")).to_be_visible()
    refused = open_request_of(page, last_name)
    change = page.locator("section", has=page.get_by_role("heading", name=f"Élément demandé : {refused}"))
    expect(change).to_contain_text("Profils à ajouter")
    expect(change).to_contain_text(REMOVED[0])
    expect(page.locator("#contenu")).to_contain_text("J’en ai besoin pour suivre les commandes.")
    page.get_by_role("button", name="Refuser").click()
    dialog = page.get_by_role("dialog", name="Refuser la demande")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Refuser").click()
    expect(dialog.get_by_text("Le motif du refus est obligatoire.")).to_be_visible()
    dialog.get_by_label("Motif du refus").fill("Les engagements sont suivis par la comptabilité.")
    dialog.get_by_role("button", name="Refuser").click()
    expect(heading(page, "Approbations")).to_be_visible()
    expect(page.locator("#approbations-message")).to_contain_text(f"La demande {refused} est refusée")
    expect(approvals_link(page).locator(".fr-badge")).to_have_text(re.compile(rf"^{before - 1}\b"))

    # ---------------------------------------------------------------- the manager detaches the user
    open_screen(page, "/organisation/utilisateurs/detacher", "Détacher un utilisateur")
    choose_structure(page, "detacher-structure", STRUCTURE)
    member = page.locator("#detacher-utilisateur")
    expect(member.locator("option", has_text=last_name)).to_have_count(1)
    member.select_option(label=member.locator("option", has_text=last_name).inner_text().strip())
    page.get_by_role("button", name="Soumettre").click()
    expect(page.locator("#detacher-commentaire-erreur")).to_contain_text("Le commentaire est obligatoire")
    assert_accessible(page)
    page.get_by_label("Commentaire").fill("Fin de la mission à la boutique.")
    page.get_by_role("button", name="Soumettre").click()
    expect(page.locator("#detacher-resultat")).to_contain_text(f"{full_name} est détaché(e)")
    expect(member.locator("option", has_text=last_name)).to_have_count(0)
    assert_accessible(page)

    # The user is no longer in the list of users.
    open_screen(page, "/organisation/utilisateurs/consulter", "Consulter les utilisateurs")
    page.locator("#utilisateurs-recherche").fill(last_name)
    expect(page.get_by_text("Aucun utilisateur ne correspond à ces critères.")).to_be_visible()
    assert_accessible(page)

    # ---------------------------------------------------------------- the three notifications
    mails = mails_to(server_var_dir, user_email, 4)  # the address verification, then the three
    subjects = [str(mail["Subject"]) for mail in mails]
    assert f"Demande {number} approuvée" in subjects, subjects
    assert f"Demande {refused} refusée" in subjects, subjects
    assert f"Détachement de {STRUCTURE}" in subjects, subjects
    bodies = {str(mail["Subject"]): mail.get_body(preferencelist=("plain",)).get_content() for mail in mails}
    assert "Les engagements sont suivis par la comptabilité." in bodies[f"Demande {refused} refusée"]
    assert "Fin de la mission à la boutique." in bodies[f"Détachement de {STRUCTURE}"]


def test_users_list_user_page_and_attach_by_invitation(page: Page) -> None:
    log_in(page, MANAGER_EMAIL, DEMO_PASSWORD)

    open_screen(page, "/organisation/utilisateurs/consulter", "Consulter les utilisateurs")
    table = page.locator("#table-utilisateurs")
    expect(table.locator("tbody tr", has_text="Dubois")).to_have_count(1)
    expect(page.get_by_role("link", name="Exporter les utilisateurs (XLSX)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Trier par nom")).click()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Nom")
    table.get_by_role("link", name="Dubois", exact=True).click()

    expect(heading(page, "Afficher un utilisateur")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Léa Dubois")).to_be_visible()
    expect(page.locator("#contenu")).to_contain_text("lea.dubois@demo.portail.fr")
    expect(page.get_by_role("heading", level=2, name="Habilitations par structure")).to_be_visible()
    expect(page.locator("#contenu")).to_contain_text("Organisation consultation")
    assert_accessible(page)

    open_screen(page, "/organisation/utilisateurs/rattacher", "Rattacher un utilisateur")
    invited = unique_email()
    page.locator("#rattacher-email").fill(invited)
    choose_structure(page, "rattacher-structure", STRUCTURE)
    page.get_by_text("Je souhaite faire un rattachement à la maille service").click()
    page.locator("#rattacher-service").select_option(label="BOUTIQUE – Boutique de la République")
    assert_accessible(page)
    page.get_by_role("button", name="Soumettre").click()
    expect(page.locator("#rattacher-resultat")).to_contain_text("une invitation lui a été envoyée")
    row = page.locator("tr", has_text=invited)
    expect(row).to_contain_text("Boutique de la République")
    assert_accessible(page)
    row.get_by_role("button", name=f"Révoquer l’invitation de {invited}").click()
    expect(page.get_by_text(f"L’invitation de {invited} est révoquée.")).to_be_visible()
    expect(page.locator("tr", has_text=invited)).to_have_count(0)
