"""Mail: the one way the portal writes to people.

- Messages are French, plain text with a simple HTML alternative
  (:func:`verification_mail`, :func:`password_reset_mail`, and
  :meth:`Mailer.send` for any other message).
- With ``PORTAIL_SMTP_HOST`` set they go through that SMTP server
  (aiosmtplib; ``PORTAIL_SMTP_PORT``, ``_USER``, ``_PASSWORD``, ``_STARTTLS``,
  ``_TLS``, ``PORTAIL_MAIL_FROM``); without it they are written to
  ``var/outbox/`` as ``.eml`` files, which is what a developer reads.
- Use cases send *after* their transaction commits, and sending never undoes
  the action: :meth:`Mailer.send_mail` returns at once and a background task
  delivers, retrying with growing delays. A message that still fails (or is
  pending when the server stops) is logged and written to
  ``var/outbox/failed/`` with the reason in an ``X-Portail-Failure`` header,
  so nothing is lost; an operator can resend those files.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import html
import logging
import re
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import quote

import aiosmtplib

from backend import clock
from backend.settings import Settings

log = logging.getLogger("portail.mail")

VERIFY_EMAIL_ROUTE = "/verifier-email"
RESET_PASSWORD_ROUTE = "/reinitialiser-mot-de-passe"
LINK_VALIDITY_MINUTES = 60
SIGNATURE = "L'équipe du Portail Organisation"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None


def link(settings: Settings, route: str, secret: str) -> str:
    """An absolute link to a screen of the SPA carrying a one-time secret (``?jeton=``)."""
    return f"{settings.public_url}{route}?jeton={quote(secret, safe='')}"


_URL = re.compile(r"https?://[^\s<>\"]+")


def text_to_html(text: str) -> str:
    """A minimal HTML version of a plain-text message: paragraphs, line breaks, clickable links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block)
        escaped = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + escaped.replace("\n", "<br>\n") + "</p>")
    body = "\n".join(paragraphs)
    return (
        '<!doctype html>\n<html lang="fr">\n<head><meta charset="utf-8"></head>\n'
        '<body style="font-family: Marianne, Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #161616">\n'
        f"{body}\n</body>\n</html>\n"
    )


def verification_mail(settings: Settings, to: str, first_name: str, secret: str) -> Mail:
    url = link(settings, VERIFY_EMAIL_ROUTE, secret)
    text = (
        f"Bonjour {first_name},\n\n"
        "Pour confirmer votre adresse électronique sur le Portail Organisation, ouvrez ce lien :\n"
        f"{url}\n\n"
        f"Le lien est valable {LINK_VALIDITY_MINUTES} minutes et ne sert qu'une fois. Si vous n'êtes pas "
        "à l'origine de cette demande, ignorez ce message.\n\n"
        f"{SIGNATURE}"
    )
    return Mail(to=to, subject="Confirmez votre adresse électronique", text=text, html=text_to_html(text))


def password_reset_mail(
    settings: Settings, to: str, first_name: str, secret: str, *, reactivates: bool
) -> Mail:
    url = link(settings, RESET_PASSWORD_ROUTE, secret)
    reactivation = (
        "Votre compte est désactivé : choisir un nouveau mot de passe par ce lien le réactivera.\n\n"
        if reactivates
        else ""
    )
    text = (
        f"Bonjour {first_name},\n\n"
        "Une réinitialisation du mot de passe de votre compte du Portail Organisation a été demandée. "
        "Pour choisir un nouveau mot de passe, ouvrez ce lien :\n"
        f"{url}\n\n"
        f"{reactivation}"
        f"Le lien est valable {LINK_VALIDITY_MINUTES} minutes et ne sert qu'une fois. Si vous n'êtes pas "
        "à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.\n\n"
        f"{SIGNATURE}"
    )
    return Mail(to=to, subject="Réinitialisation de votre mot de passe", text=text, html=text_to_html(text))


class Mailer:
    """Delivers mails in the background, through SMTP or to the outbox folder."""

    #: Delays before the second, third… attempts (seconds).
    retry_delays: tuple[float, ...] = (2.0, 15.0, 60.0)
    smtp_timeout: float = 30.0

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def outbox(self) -> Path:
        return self.settings.outbox_dir

    @property
    def failed(self) -> Path:
        return self.settings.outbox_dir / "failed"

    # -- public surface ---------------------------------------------------------------------------

    def send(self, to: str, subject: str, body: str, html_body: str | None = None) -> None:
        """Send a message (plain text, with an HTML version made from it when none is given)."""
        self.send_mail(Mail(to=to, subject=subject, text=body, html=html_body or text_to_html(body)))

    def send_mail(self, mail: Mail) -> None:
        """Queue ``mail`` for delivery and return at once. Call it after the transaction commits."""
        task = asyncio.get_running_loop().create_task(self._deliver_with_retries(self.build(mail)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, wait_at_most: float | None = None) -> None:
        """Wait for the queued messages; after ``wait_at_most`` seconds, file the rest as failed."""
        while self._tasks:
            pending = set(self._tasks)
            _, not_done = await asyncio.wait(pending, timeout=wait_at_most)
            if not_done:
                for task in not_done:
                    task.cancel()
                await asyncio.gather(*not_done, return_exceptions=True)
                return

    # -- delivery ---------------------------------------------------------------------------------

    def build(self, mail: Mail) -> EmailMessage:
        message = EmailMessage(policy=email.policy.SMTP)
        sender = self.settings.mail_from
        message["From"] = sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(clock.now().timestamp(), localtime=False)
        domain = parseaddr(sender)[1].rpartition("@")[2] or "portail.localhost"
        message["Message-ID"] = make_msgid(domain=domain)
        message.set_content(mail.text)
        if mail.html:
            message.add_alternative(mail.html, subtype="html")
        return message

    async def deliver(self, message: EmailMessage) -> None:
        """One attempt: SMTP when configured, else a file in the outbox."""
        settings = self.settings
        if not settings.smtp_host:
            await self._write(self.outbox, message)
            return
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_user or None,
            password=settings.smtp_password or None,
            use_tls=settings.smtp_tls,
            start_tls=settings.smtp_starttls if not settings.smtp_tls else False,
            timeout=self.smtp_timeout,
        )

    async def _deliver_with_retries(self, message: EmailMessage) -> None:
        delays = (0.0, *self.retry_delays)
        error: BaseException | None = None
        try:
            for attempt, delay in enumerate(delays, start=1):
                if delay:
                    await asyncio.sleep(delay)
                try:
                    await self.deliver(message)
                    log.info("mail sent to %s: %s", message["To"], message["Subject"])
                    return
                except Exception as exc:  # any failure of the transport: retry, then file it
                    error = exc
                    log.warning(
                        "mail to %s failed (attempt %d of %d): %s", message["To"], attempt, len(delays), exc
                    )
        except asyncio.CancelledError:
            await self._file_as_failed(message, "envoi interrompu par l'arrêt du serveur")
            raise
        await self._file_as_failed(message, f"{type(error).__name__}: {error}")

    async def _file_as_failed(self, message: EmailMessage, reason: str) -> None:
        log.error("mail to %s could not be sent (%s): kept in %s", message["To"], reason, self.failed)
        del message["X-Portail-Failure"]
        message["X-Portail-Failure"] = reason.replace("\n", " ")[:900]
        with contextlib.suppress(OSError):
            await self._write(self.failed, message)

    @staticmethod
    async def _write(folder: Path, message: EmailMessage) -> Path:
        data = message.as_bytes(policy=email.policy.SMTP)
        name = f"{clock.now().strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}.eml"

        def write() -> Path:
            folder.mkdir(parents=True, exist_ok=True)
            temporary = folder / f".{name}.tmp"
            temporary.write_bytes(data)
            return temporary.replace(folder / name)

        return await asyncio.to_thread(write)
