"""Steps shared by the browser tests."""

from __future__ import annotations

import email.policy
import re
import time
from email.parser import BytesParser
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible


def heading(page: Page, name: str):
    """The page's h1."""
    return page.get_by_role("heading", level=1, name=name, exact=True)


def fill_log_in_form(page: Page, email: str, password: str) -> None:
    """On /connexion: type the credentials and submit (the caller checks where it lands)."""
    expect(heading(page, "Se connecter")).to_be_visible()
    page.locator("#connexion-email").fill(email)
    page.locator("#connexion-mot-de-passe").fill(password)
    page.locator("#contenu").get_by_role("button", name="Se connecter").click()


def log_in(page: Page, email: str, password: str) -> None:
    """Log in from /connexion and wait until the header shows the session."""
    page.goto("/connexion")
    assert_accessible(page)
    fill_log_in_form(page, email, password)
    expect(header_link(page, "Mon compte")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/connexion"))


def header_link(page: Page, name: str):
    """A quick link of the DSFR header (« Mon compte », « Se connecter »…)."""
    return page.locator(".fr-header__tools-links").get_by_role("link", name=name, exact=True)


def header_button(page: Page, name: str):
    return page.locator(".fr-header__tools-links").get_by_role("button", name=name, exact=True)


def read_link_from_outbox(
    var_dir: Path, to: str, route: str, *, after: float = 0.0, timeout: float = 15.0
) -> str:
    """The path and query (« /verifier-email?jeton=… ») of the newest mail to `to` linking to `route`.

    Without an SMTP server, the portal writes its mails to `<var dir>/outbox/*.eml`, from a
    background task: wait for it. `after` (a time.time()) skips older mails.
    """
    pattern = re.compile(rf"https?://[^/\s]+({re.escape(route)}\?jeton=[^\s\"<>]+)")
    deadline = time.monotonic() + timeout
    while True:
        found: list[tuple[float, str]] = []
        for path in (var_dir / "outbox").glob("*.eml"):
            if path.stat().st_mtime < after:
                continue
            message = BytesParser(policy=email.policy.default).parse(path.open("rb"))
            if to.lower() not in str(message["To"]).lower():
                continue
            body = message.get_body(preferencelist=("plain",))
            match = pattern.search(body.get_content() if body else "")
            if match:
                found.append((path.stat().st_mtime, match.group(1)))
        if found:
            return max(found)[1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {to} with a link to {route} in {var_dir / 'outbox'}")
        time.sleep(0.2)
