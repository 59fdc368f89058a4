"""Mail: through a real SMTP server (aiosmtpd on a free local port), or to var/outbox/ without one;
sent after the action commits, retried, and kept when it cannot be sent."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import logging
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from backend import models
from backend.app import create_app
from backend.services.mail import Mailer
from backend.settings import Settings
from tests.conftest import PASSWORD, SIGN_UP, GraphQLClient

REQUEST_RESET = "mutation($email: String!) { requestPasswordReset(email: $email) { ok } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """An SMTP server's handler that keeps what it receives; ``refuse`` first answers 451 that many times."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.logins: list[str] = []
        self.refuse = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Réessayez plus tard"
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"portail",
            b"s3cret",
        ):
            self.logins.append(auth_data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, authenticator=sink.authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def smtp_settings(db: Settings, port: int, **changes: Any) -> Settings:
    return dataclasses.replace(
        db,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_user="portail",
        smtp_password="s3cret",
        smtp_starttls=False,
        mail_from="Portail Organisation <ne-pas-repondre@portail.example.gouv.fr>",
        **changes,
    )


async def sign_up(app: Any, address: str = "alice@example.org") -> dict:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        data = await GraphQLClient(http).query(
            SIGN_UP,
            {"input": {"email": address, "password": PASSWORD, "firstName": "Alice", "lastName": "Durand"}},
        )
        await GraphQLClient(http).query(REQUEST_RESET, {"email": address})
    return data["signUp"]


async def test_mails_go_through_the_smtp_server_when_one_is_configured(db, smtp) -> None:
    sink, port = smtp
    settings = smtp_settings(db, port, public_url="https://portail.example.gouv.fr")
    app = create_app(settings, manage_db=False)
    assert (await sign_up(app))["errors"] == []
    await app.state.mailer.drain()

    assert sink.logins == ["portail", "portail"]
    verification, reset = sink.messages
    assert sink.envelopes[0].mail_from == "ne-pas-repondre@portail.example.gouv.fr"
    assert sink.envelopes[0].rcpt_tos == ["alice@example.org"]
    assert verification["From"] == "Portail Organisation <ne-pas-repondre@portail.example.gouv.fr>"
    assert verification["To"] == "alice@example.org"
    assert verification["Subject"] == "Confirmez votre adresse électronique"
    assert verification["Message-ID"] and verification["Date"]
    assert verification.get_content_type() == "multipart/alternative"
    text = verification.get_body(preferencelist=("plain",)).get_content()
    assert "https://portail.example.gouv.fr/verifier-email?jeton=" in text
    html = verification.get_body(preferencelist=("html",)).get_content()
    assert (
        '<html lang="fr">' in html and 'href="https://portail.example.gouv.fr/verifier-email?jeton=' in html
    )
    assert reset["Subject"] == "Réinitialisation de votre mot de passe"
    reset_text = reset.get_body(preferencelist=("plain",)).get_content()
    assert "https://portail.example.gouv.fr/reinitialiser-mot-de-passe?jeton=" in reset_text


async def test_a_refused_mail_is_retried_until_the_server_takes_it(db, smtp) -> None:
    sink, port = smtp
    sink.refuse = 2
    mailer = Mailer(smtp_settings(db, port))
    mailer.retry_delays = (0.0, 0.0, 0.0)
    mailer.send("bob@example.org", "Essai", "Bonjour Bob,\n\nUn message d'essai : https://exemple.fr/lien")
    await mailer.drain()
    [message] = sink.messages
    assert message["Subject"] == "Essai"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '<a href="https://exemple.fr/lien">' in html


async def test_a_mail_that_cannot_be_sent_is_kept_and_the_action_stands(db, caplog) -> None:
    settings = smtp_settings(db, free_port())  # nobody listens there
    app = create_app(settings, manage_db=False)
    app.state.mailer.retry_delays = (0.0, 0.0)
    app.state.mailer.smtp_timeout = 2.0
    for path in (settings.outbox_dir / "failed").glob("*.eml"):
        path.unlink()
    with caplog.at_level(logging.INFO, logger="portail.mail"):
        assert (await sign_up(app))["errors"] == []
        await app.state.mailer.drain()

    assert await models.User.exists(email="alice@example.org")  # sending never undoes the action
    failed = sorted((settings.outbox_dir / "failed").glob("*.eml"))
    assert len(failed) == 2
    kept = email.message_from_bytes(failed[0].read_bytes(), policy=email.policy.default)
    assert kept["To"] == "alice@example.org"
    assert kept["X-Portail-Failure"]
    attempts = [
        r for r in caplog.records if r.levelno == logging.WARNING and "alice@example.org" in r.getMessage()
    ]
    assert len(attempts) == 2 * 3  # two mails, three attempts each
    assert any(r.levelno == logging.ERROR and "could not be sent" in r.getMessage() for r in caplog.records)


async def test_a_mail_still_waiting_when_the_server_stops_is_kept(db) -> None:
    mailer = Mailer(smtp_settings(db, free_port()))
    mailer.retry_delays = (3600.0,)
    mailer.smtp_timeout = 2.0
    failed = mailer.failed
    before = set(failed.glob("*.eml")) if failed.exists() else set()
    mailer.send("carole@example.org", "Essai", "Bonjour.")
    await mailer.drain(wait_at_most=0.5)
    new = set(failed.glob("*.eml")) - before
    assert len(new) == 1
    kept = email.message_from_bytes(new.pop().read_bytes(), policy=email.policy.default)
    assert "arrêt du serveur" in kept["X-Portail-Failure"]


async def test_without_an_smtp_server_mails_are_written_to_the_outbox(db, outbox) -> None:
    mailer = Mailer(db)
    mailer.send("dan@example.org", "Votre demande", "Bonjour Dan,\n\nVotre demande est enregistrée.")
    await mailer.drain()
    [message] = await outbox.messages("dan@example.org")
    assert message["Subject"] == "Votre demande"
    assert message["From"] == db.mail_from
    assert "Votre demande est enregistrée." in message.get_body(preferencelist=("plain",)).get_content()
    assert "<p>Bonjour Dan,</p>" in message.get_body(preferencelist=("html",)).get_content()
    assert [path.suffix for path in db.outbox_dir.iterdir() if path.is_file()] == [".eml"]
