"""The account screens in Chromium: sign-up, log-in, « Mon compte », API tokens, log-out.

Every screen visited is checked with axe-core (no serious or critical violation). Mails
(verification, password reset) are read from the server's outbox.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from backend.auth.totp import current_code
from backend.seed.demo import DEMO_PASSWORD, MANAGER_EMAIL
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import (
    fill_log_in_form,
    header_button,
    header_link,
    heading,
    log_in,
    read_link_from_outbox,
)

PASSWORD = "Navigateur-E2e-2026"
VIEWER_EMAIL = "{ viewer { user { email } } }"


def unique_email(label: str) -> str:
    return f"e2e-{label}-{uuid.uuid4().hex[:8]}@exemple.fr"


def sign_up_in_the_spa(
    page: Page, email: str, first_name: str = "Alice", last_name: str = "Navigateur"
) -> None:
    page.goto("/")
    header_link(page, "Créer un compte").click()
    expect(page).to_have_url(re.compile(r"/inscription$"))
    expect(heading(page, "Créer un compte")).to_be_visible()
    expect(page).to_have_title("Créer un compte — Portail Organisation")
    expect(
        page.get_by_text("au moins 12 caractères, dont une majuscule, une minuscule et un chiffre")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Prénom").fill(first_name)
    page.locator("#inscription-nom").fill(last_name)
    page.locator("#inscription-email").fill(email)
    page.locator("#inscription-mot-de-passe").fill(PASSWORD)
    page.locator("#inscription-confirmation-mot-de-passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page.get_by_text("Votre compte a été créé")).to_be_visible()
    assert_accessible(page)


def verify_email_from_outbox(page: Page, var_dir: Path, email: str) -> None:
    link = read_link_from_outbox(var_dir, email, "/verifier-email")
    page.goto(link)
    expect(heading(page, "Vérification de l’adresse électronique")).to_be_visible()
    expect(page.get_by_text("Votre adresse électronique est vérifiée")).to_be_visible()
    assert_accessible(page)


def sign_up_verify_and_log_in(page: Page, var_dir: Path, email: str, **names: str) -> None:
    sign_up_in_the_spa(page, email, **names)
    verify_email_from_outbox(page, var_dir, email)
    if not header_link(page, "Mon compte").is_visible():
        log_in(page, email, PASSWORD)


def graphql_with_token(server: str, secret: str, query: str) -> httpx.Response:
    return httpx.post(
        f"{server}/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    )


def open_account_section(page: Page, title: str) -> None:
    """From anywhere: « Mon compte » in the header, then a section of its side menu."""
    header_link(page, "Mon compte").click()
    expect(heading(page, "Mon compte")).to_be_visible()
    page.get_by_role("navigation", name="Rubriques").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=2, name=title, exact=True)).to_be_visible()


def test_sign_up_create_an_api_token_use_it_and_revoke_it(
    page: Page, server: str, server_var_dir: Path
) -> None:
    email = unique_email("jeton")
    sign_up_verify_and_log_in(page, server_var_dir, email, first_name="Alice", last_name="Navigateur")
    expect(page.locator(".fr-header__tools-links")).to_contain_text("Alice Navigateur")

    open_account_section(page, "Jetons d’API")
    expect(page).to_have_url(re.compile(r"/mon-compte/jetons-api$"))
    expect(page).to_have_title("Jetons d’API — Mon compte — Portail Organisation")
    expect(page.get_by_text("Vous n’avez aucun jeton d’API.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Nom du jeton").fill("Script de test")
    expect(page.get_by_label("Lecture seule")).to_be_checked()
    page.get_by_role("button", name="Créer le jeton").click()

    created = page.locator("#jeton-cree")
    expect(created).to_contain_text("Jeton « Script de test » créé")
    expect(created).to_contain_text("il ne sera plus affiché")
    expect(created.get_by_role("button", name="Copier le jeton")).to_be_visible()
    secret = page.locator("#jeton-secret").inner_text().strip()
    assert len(secret) >= 20, secret
    row = page.locator("#table-jetons tbody tr", has_text="Script de test")
    expect(row).to_contain_text("Lecture seule")
    expect(row).to_contain_text("Jamais")
    assert_accessible(page)

    # A plain HTTP client, with the token.
    response = graphql_with_token(server, secret, VIEWER_EMAIL)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["user"]["email"] == email

    # The secret is shown once: not after a reload.
    page.reload()
    expect(page.get_by_role("heading", level=2, name="Jetons d’API")).to_be_visible()
    expect(page.locator("#jeton-secret")).to_have_count(0)
    expect(page.get_by_text(secret)).to_have_count(0)

    page.get_by_role("button", name="Révoquer le jeton « Script de test »").click()
    expect(page.get_by_text("Le jeton « Script de test » a été révoqué")).to_be_visible()
    expect(page.locator("#table-jetons")).to_have_count(0)
    assert_accessible(page)

    response = graphql_with_token(server, secret, VIEWER_EMAIL)
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    refused = response.status_code == 401 or (
        (body.get("data") or {}).get("viewer") is None
        and (
            not body.get("errors")
            or any(error.get("extensions", {}).get("code") == "UNAUTHENTICATED" for error in body["errors"])
        )
    )
    assert refused, response.text


def test_a_protected_page_sends_to_log_in_and_comes_back(page: Page) -> None:
    page.goto("/mon-compte/jetons-api")
    expect(page).to_have_url(re.compile(r"/connexion\?retour=/mon-compte/jetons-api$"))
    expect(page.get_by_text("Connectez-vous pour accéder à cette page.")).to_be_visible()
    expect(page).to_have_title("Se connecter — Portail Organisation")
    assert_accessible(page)

    fill_log_in_form(page, MANAGER_EMAIL, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/mon-compte/jetons-api$"))
    expect(page.get_by_role("heading", level=2, name="Jetons d’API")).to_be_visible()
    expect(page.locator(".fr-header__tools-links")).to_contain_text("Camille Martin")
    assert_accessible(page)


def test_screens_of_the_catalogue_need_a_session(page: Page) -> None:
    for path in ["/organisation/structures/creer", "/support/tickets/emis"]:
        page.goto(path)
        expect(page).to_have_url(re.compile(rf"/connexion\?retour={re.escape(path)}$"))
    assert_accessible(page)


def test_log_in_error_and_log_out(page: Page) -> None:
    page.goto("/connexion")
    fill_log_in_form(page, MANAGER_EMAIL, "Mauvais-Mot-De-Passe-1")
    expect(page.locator("#contenu .fr-alert--error, #contenu .fr-error-text").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"/connexion$"))
    assert_accessible(page)

    page.locator("#connexion-mot-de-passe").fill(DEMO_PASSWORD)
    page.locator("#contenu").get_by_role("button", name="Se connecter").click()
    expect(header_link(page, "Mon compte")).to_be_visible()
    expect(page.locator(".fr-header__tools-links")).to_contain_text("Camille Martin")
    expect(header_link(page, "Se connecter")).to_have_count(0)

    header_button(page, "Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion\?deconnexion=1$"))
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()
    expect(header_link(page, "Se connecter")).to_be_visible()
    expect(header_link(page, "Créer un compte")).to_be_visible()
    expect(header_link(page, "Mon compte")).to_have_count(0)
    assert_accessible(page)

    # The session is over on the server too.
    page.goto("/mon-compte")
    expect(page).to_have_url(re.compile(r"/connexion\?retour=/mon-compte$"))


def test_account_sections(page: Page, server: str, server_var_dir: Path) -> None:
    email = unique_email("compte")
    sign_up_verify_and_log_in(page, server_var_dir, email, first_name="Bruno", last_name="Sections")

    # Profil: the login email is read-only; a new name shows in the header.
    header_link(page, "Mon compte").click()
    expect(page).to_have_url(re.compile(r"/mon-compte$"))
    expect(page).to_have_title("Mon compte — Portail Organisation")
    expect(page.get_by_role("heading", level=2, name="Profil")).to_be_visible()
    login_email = page.get_by_label("Adresse électronique de connexion")
    expect(login_email).to_have_value(email)
    expect(login_email).not_to_be_editable()
    assert_accessible(page)
    page.get_by_label("Prénom").fill("Bruna")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vos informations ont été enregistrées.")).to_be_visible()
    expect(page.locator(".fr-header__tools-links")).to_contain_text("Bruna Sections")

    # Mot de passe: a mismatch is caught, then the change goes through.
    open_account_section(page, "Mot de passe")
    assert_accessible(page)
    new_password = "Nouveau-Secret-2026"
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.locator("#mot-de-passe-nouveau").fill(new_password)
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Autre-Chose-2026")
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_text("Les deux mots de passe ne sont pas identiques.")).to_be_visible()
    expect(page.get_by_label("Confirmation du nouveau mot de passe")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(new_password)
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_text("Votre mot de passe a été changé.")).to_be_visible()

    # Sessions: this browser's session is marked; another one (a script's) can be ended.
    with httpx.Client(base_url=server, headers={"X-Requested-With": "portail"}, timeout=10) as script:
        answer = script.post(
            "/graphql",
            json={
                "query": "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) "
                "{ viewer { user { email } } errors { code message } } }",
                "variables": {"e": email, "p": new_password},
            },
        ).json()
        assert answer["data"]["logIn"]["errors"] == [], answer
        open_account_section(page, "Sessions")
        current = page.locator("#table-sessions tbody tr", has_text="Session actuelle")
        expect(current).to_have_count(1)
        expect(current.get_by_role("button", name=re.compile("^Terminer"))).to_be_visible()
        other = page.locator("#table-sessions tbody tr", has_text="Python")
        expect(other).to_have_count(1)
        assert_accessible(page)
        other.get_by_role("button", name=re.compile("^Terminer la session Python")).click()
        expect(page.get_by_text("La session Python a été terminée.")).to_be_visible()
        expect(other).to_have_count(0)
        expect(current).to_have_count(1)
        viewer = script.post("/graphql", json={"query": VIEWER_EMAIL}).json()
        assert (viewer.get("data") or {}).get("viewer") is None, viewer

    # Double authentification: QR code and key, confirmed with a code.
    open_account_section(page, "Double authentification")
    assert_accessible(page)
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.get_by_role("img", name=re.compile("Code QR"))).to_be_visible()
    key = page.locator("#double-authentification-cle").inner_text().replace(" ", "")
    assert len(key) >= 16, key
    assert_accessible(page)
    page.get_by_label("Code de votre application").fill(current_code(key))
    page.get_by_role("button", name="Confirmer l’activation").click()
    expect(page.get_by_text("La double authentification est activée", exact=False).first).to_be_visible()

    # Logging in again now asks for the code.
    header_button(page, "Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion\?deconnexion=1$"))
    fill_log_in_form(page, email, new_password)
    code = page.get_by_label("Code de double authentification")
    expect(code).to_be_visible()
    expect(code).to_be_focused()
    assert_accessible(page)
    code.fill(current_code(key))
    page.locator("#contenu").get_by_role("button", name="Se connecter").click()
    expect(header_link(page, "Mon compte")).to_be_visible()

    # Désactiver mon compte: password, then the confirmation dialog.
    open_account_section(page, "Désactiver mon compte")
    assert_accessible(page)
    page.get_by_label("Mot de passe").fill(new_password)
    page.locator("#section-compte").get_by_role("button", name="Désactiver mon compte").click()
    dialog = page.get_by_role("alertdialog", name="Désactiver votre compte ?")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Désactiver mon compte").click()
    expect(page).to_have_url(re.compile(r"/connexion\?compte=desactive$"))
    expect(page.get_by_text("Votre compte a été désactivé.")).to_be_visible()
    expect(header_link(page, "Se connecter")).to_be_visible()


def test_forgotten_password(page: Page, server_var_dir: Path) -> None:
    email = unique_email("oubli")
    sign_up_in_the_spa(page, email)
    verify_email_from_outbox(page, server_var_dir, email)
    if header_button(page, "Se déconnecter").is_visible():
        header_button(page, "Se déconnecter").click()
        expect(header_link(page, "Se connecter")).to_be_visible()

    page.goto("/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page).to_have_url(re.compile(r"/mot-de-passe-oublie$"))
    expect(heading(page, "Mot de passe oublié")).to_be_visible()
    assert_accessible(page)

    # The same answer for an unknown address and for a real one.
    page.get_by_label("Adresse électronique").fill(unique_email("inconnu"))
    page.get_by_role("button", name="Recevoir un lien de réinitialisation").click()
    confirmation = page.locator("#mot-de-passe-oublie-confirmation")
    expect(confirmation).to_contain_text("Si un compte correspond à cette adresse électronique")
    unknown_text = confirmation.inner_text()
    assert_accessible(page)

    page.reload()
    asked_at = time.time() - 1
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_role("button", name="Recevoir un lien de réinitialisation").click()
    expect(confirmation).to_contain_text("Si un compte correspond à cette adresse électronique")
    assert confirmation.inner_text() == unknown_text

    link = read_link_from_outbox(server_var_dir, email, "/reinitialiser-mot-de-passe", after=asked_at)
    page.goto(link)
    expect(heading(page, "Réinitialiser le mot de passe")).to_be_visible()
    assert_accessible(page)
    new_password = "Reinitialise-2026-ok"
    page.locator("#reinitialisation-mot-de-passe").fill(new_password)
    page.locator("#reinitialisation-confirmation-mot-de-passe").fill(new_password)
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_text("Votre mot de passe a été changé")).to_be_visible()
    assert_accessible(page)

    # The link has served: a second use is refused, with the server's message.
    page.goto(link)
    page.locator("#reinitialisation-mot-de-passe").fill("Encore-Un-Autre-2026")
    page.locator("#reinitialisation-confirmation-mot-de-passe").fill("Encore-Un-Autre-2026")
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_text("Le mot de passe n’a pas pu être changé")).to_be_visible()

    log_in(page, email, new_password)


@pytest.mark.parametrize("path", ["/verifier-email?jeton=jeton-inconnu", "/verifier-email"])
def test_a_bad_verification_link_says_so(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.get_by_text("L’adresse électronique n’a pas pu être vérifiée")).to_be_visible()
    assert_accessible(page)
