"""Ticket notifications, read from a real SMTP server (aiosmtpd): the issuer is told when information is
requested and when the ticket is resolved; the recipient when a ticket arrives or comes back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from backend.app import create_app
from tests.api.test_mail import Sink, free_port, smtp_settings
from tests.tickets_world import (
    PROVIDE,
    REOPEN,
    REQUEST_INFO,
    RESOLVE,
    TRANSFER,
    TicketWorld,
    build_ticket_world,
    gid,
)

PUBLIC_URL = "https://portail.example.gouv.fr"


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    port = free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, authenticator=handler.authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
async def tw(db, sink) -> AsyncIterator[TicketWorld]:
    _, port = sink
    app = create_app(smtp_settings(db, port, public_url=PUBLIC_URL), manage_db=False)
    world = await build_ticket_world(app)
    yield world
    await world.close()


async def delivered(tw: TicketWorld, sink: Sink) -> list[tuple[str, str]]:
    """(To, Subject) of the messages received since the last call."""
    await tw.app.state.mailer.drain()
    messages = [(m["To"], m["Subject"]) for m in sink.messages]
    sink.messages.clear()
    return messages


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


async def test_each_side_is_told_what_waits_for_it(tw: TicketWorld, sink) -> None:
    handler, _ = sink
    ticket = await tw.submit("member", "invoice", title="Facture impayée")
    number = ticket["number"]
    [arrival] = await _messages(tw, handler)
    # Those who work the recipient structure's tickets (Sollicitations reçues modification on it).
    assert (arrival["To"], arrival["Subject"]) == (
        "recipient@monde.test",
        f"Nouveau ticket {number} : Facture impayée",
    )
    assert f"{PUBLIC_URL}/support/tickets/{number}" in text_of(arrival)
    assert arrival.get_body(preferencelist=("html",)) is not None

    await tw.act("recipient", REQUEST_INFO, id=ticket["id"], body="Pouvez-vous nous envoyer votre RIB ?")
    await tw.app.state.mailer.drain()
    requested = list(handler.messages)
    # The issuer: the ticket's contact address and its author.
    assert sorted(m["To"] for m in requested) == ["contact@monde.test", "member@monde.test"]
    assert {m["Subject"] for m in requested} == {f"Ticket {number} : informations demandées"}
    assert "Pouvez-vous nous envoyer votre RIB ?" in text_of(requested[0])
    await delivered(tw, handler)

    await tw.act("member", PROVIDE, id=ticket["id"], body="Voici le RIB.")
    assert await delivered(tw, handler) == [
        ("recipient@monde.test", f"Ticket {number} : retour du demandeur")
    ]

    await tw.act("recipient", RESOLVE, id=ticket["id"], solution="Payée le 3 mars.")
    await tw.app.state.mailer.drain()
    resolved = list(handler.messages)
    assert {(m["To"], m["Subject"]) for m in resolved} == {
        ("contact@monde.test", f"Ticket {number} résolu"),
        ("member@monde.test", f"Ticket {number} résolu"),
    }
    assert "Payée le 3 mars." in text_of(resolved[0])
    await delivered(tw, handler)

    await tw.act("member", REOPEN, id=ticket["id"], reason="Toujours rien reçu.")
    assert await delivered(tw, handler) == [
        ("recipient@monde.test", f"Ticket {number} : retour du demandeur")
    ]

    await tw.act("recipient", TRANSFER, id=ticket["id"], reason="Question technique.")
    assert await delivered(tw, handler) == [
        ("support@monde.test", f"Nouveau ticket {number} : Facture impayée")
    ]


async def test_a_support_ticket_goes_to_the_support_agents_and_a_service_ticket_to_its_desk(
    tw: TicketWorld, sink
) -> None:
    handler, _ = sink
    await tw.submit("member", "support", title="Connexion")
    assert [m["To"] for m in (await _messages(tw, handler))] == ["support@monde.test"]
    await tw.submit("member", "invoice", recipientServiceId=gid("Service", tw.recipient_service.id))
    # The structure-level holder and the service's desk both work it.
    assert sorted(m["To"] for m in await _messages(tw, handler)) == [
        "desk@monde.test",
        "recipient@monde.test",
    ]


async def _messages(tw: TicketWorld, handler: Sink) -> list[EmailMessage]:
    await tw.app.state.mailer.drain()
    messages = list(handler.messages)
    handler.messages.clear()
    return messages
