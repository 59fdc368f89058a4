"""Live updates over a real WebSocket (graphql-transport-ws) against `portail serve` in a subprocess:
the pending approval count and a ticket's new activities arrive when they change, who may connect
and from where, and the limits of a connection. On SQLite (one process, the in-process broker) and,
in the PostgreSQL pass of CI, on PostgreSQL (LISTEN / NOTIFY); several workers:
tests/system/test_subscriptions_workers.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from backend.settings import Settings
from tests.live import WAIT, Browser, LiveServer, live_server, open_socket
from tests.tickets_world import COMMENT, SUBMIT, TicketWorld, build_ticket_world, gid
from tests.world import PASSWORD

PARTNER = "https://partenaire.example"
LIMIT = 2

PENDING = "subscription { pendingApprovalCount }"
ACTIVITIES = (
    "subscription($t: ID!) { ticketActivities(ticketId: $t) { id kind body fromStatus toStatus "
    "author { firstName } attachments { filename } createdAt } }"
)
REQUEST_ATTACHMENT = """mutation($input: RequestAttachmentInput!) {
  requestAttachment(input: $input) { approval { id } errors { code message } }
}"""
CANCEL = "mutation($id: ID!) { cancelApproval(id: $id) { errors { code message } } }"
APPROVE = "mutation($id: ID!) { approve(id: $id) { errors { code message } } }"
CREATE_TOKEN = "mutation($n: String!) { createApiToken(name: $n) { secret errors { code message } } }"


async def token_of(browser: Browser, name: str) -> str:
    """A new API token of the browser's account (as « Mon compte » creates it)."""
    created = (await browser.query(CREATE_TOKEN, {"n": name}))["createApiToken"]
    assert created["errors"] == [], created
    return created["secret"]


@pytest.fixture(scope="module")
def server(database: Settings) -> Iterator[LiveServer]:
    env = {"PORTAIL_WS_MAX_SUBSCRIPTIONS": str(LIMIT), "PORTAIL_WS_ALLOWED_ORIGINS": PARTNER}
    with live_server(database, env=env) as running:
        yield running


@pytest.fixture
async def world(db: Settings) -> TicketWorld:
    return await build_ticket_world(None)


@pytest.fixture
async def browsers(server: LiveServer, world: TicketWorld) -> AsyncIterator[Any]:
    opened: dict[str, Browser] = {}

    async def as_(role: str) -> Browser:
        if role not in opened:
            opened[role] = await Browser(server).log_in(world.base.email(role), PASSWORD)
        return opened[role]

    yield as_
    for browser in opened.values():
        await browser.close()


def codes(message: dict[str, Any]) -> list[str]:
    errors = message["payload"] if message["type"] == "error" else message["payload"].get("errors", [])
    return [(e.get("extensions") or {}).get("code") for e in errors]


async def test_a_manager_sees_the_count_change_when_someone_asks_to_join_and_when_it_is_settled(
    server: LiveServer, world: TicketWorld, browsers: Any
) -> None:
    manager, stranger = await browsers("manager"), await browsers("stranger")
    async with open_socket(server, cookie=manager.cookie) as ws:
        count = await ws.subscribe(PENDING)
        assert await ws.next_data(count) == {"pendingApprovalCount": 0}

        asked = await stranger.query(
            REQUEST_ATTACHMENT, {"input": {"structureId": gid("Structure", world.issuer.id)}}
        )
        assert asked["requestAttachment"]["errors"] == []
        assert await ws.next_data(count) == {"pendingApprovalCount": 1}

        cancelled = await stranger.query(CANCEL, {"id": asked["requestAttachment"]["approval"]["id"]})
        assert cancelled["cancelApproval"]["errors"] == []
        assert await ws.next_data(count) == {"pendingApprovalCount": 0}

        asked = await stranger.query(
            REQUEST_ATTACHMENT, {"input": {"structureId": gid("Structure", world.issuer.id)}}
        )
        assert await ws.next_data(count) == {"pendingApprovalCount": 1}
        approved = await manager.query(APPROVE, {"id": asked["requestAttachment"]["approval"]["id"]})
        assert approved["approve"]["errors"] == []
        assert await ws.next_data(count) == {"pendingApprovalCount": 0}


async def test_a_request_elsewhere_does_not_wake_the_manager(
    server: LiveServer, world: TicketWorld, browsers: Any
) -> None:
    manager, member = await browsers("manager"), await browsers("member")
    async with open_socket(server, cookie=manager.cookie) as ws:
        count = await ws.subscribe(PENDING)
        assert await ws.next_data(count) == {"pendingApprovalCount": 0}
        asked = await member.query(
            REQUEST_ATTACHMENT, {"input": {"structureId": gid("Structure", world.base.other.id)}}
        )
        assert asked["requestAttachment"]["errors"] == []
        await ws.nothing_for(count, 1.5)


async def test_a_new_comment_reaches_whoever_follows_the_ticket(
    server: LiveServer, world: TicketWorld, browsers: Any
) -> None:
    member, recipient = await browsers("member"), await browsers("recipient")
    ticket = (await member.query(SUBMIT, {"input": world.input()}))["submitTicket"]["ticket"]
    async with open_socket(server, cookie=member.cookie) as ws:
        follow = await ws.subscribe(ACTIVITIES, {"t": ticket["id"]})
        await ws.nothing_for(follow, 0.5)  # what exists already is not sent again

        done = await recipient.query(COMMENT, {"id": ticket["id"], "body": "Nous regardons votre facture."})
        assert done["commentTicket"]["errors"] == []
        activity = (await ws.next_data(follow))["ticketActivities"]
        assert activity["kind"] == "COMMENT"
        assert activity["body"] == "Nous regardons votre facture."
        assert activity["author"] == {"firstName": "Recipient"}
        assert activity["attachments"] == []

        await member.query(COMMENT, {"id": ticket["id"], "body": "Merci !"})
        assert (await ws.next_data(follow))["ticketActivities"]["body"] == "Merci !"


async def test_a_stranger_cannot_follow_a_ticket_nor_tell_it_from_a_missing_one(
    server: LiveServer, world: TicketWorld, browsers: Any
) -> None:
    member, stranger = await browsers("member"), await browsers("stranger")
    ticket = (await member.query(SUBMIT, {"input": world.input()}))["submitTicket"]["ticket"]
    async with open_socket(server, cookie=stranger.cookie) as ws:
        hidden = await ws.subscribe(ACTIVITIES, {"t": ticket["id"]})
        refused = await ws.expect(hidden)
        missing = await ws.subscribe(ACTIVITIES, {"t": gid("Ticket", 999_999)})
        absent = await ws.expect(missing)
    assert codes(refused) == ["FORBIDDEN"]
    assert codes(absent) == ["FORBIDDEN"]
    assert refused["payload"] == absent["payload"] or (
        [e["message"] for e in refused["payload"].get("errors", refused["payload"])]
        == [e["message"] for e in absent["payload"].get("errors", absent["payload"])]
    )


async def test_an_api_token_in_connection_init_authenticates_the_connection(
    server: LiveServer, world: TicketWorld, browsers: Any
) -> None:
    secret = await token_of(await browsers("manager"), "Tableau de bord")
    async with open_socket(server, origin=None, payload={"Authorization": f"Bearer {secret}"}) as ws:
        count = await ws.subscribe(PENDING)
        assert await ws.next_data(count) == {"pendingApprovalCount": 0}


@pytest.mark.parametrize(
    "payload",
    [{}, {"Authorization": "Bearer pot_inconnu"}, {"Authorization": 42}],
    ids=["no credentials", "unknown token", "malformed"],
)
async def test_a_connection_without_a_valid_viewer_is_closed_at_connection_init(
    server: LiveServer, world: TicketWorld, payload: dict[str, Any]
) -> None:
    with pytest.raises(ConnectionClosed) as closed:
        async with open_socket(server, origin=None, payload=payload):
            pass
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_cookie_websocket_from_another_site_is_refused(
    server: LiveServer, world: TicketWorld, browsers: Any
) -> None:
    manager = await browsers("manager")
    with pytest.raises(InvalidStatus) as refused:
        async with open_socket(server, cookie=manager.cookie, origin="https://pirate.example"):
            pass
    assert refused.value.response.status_code == 403

    # The server's own origin and the listed ones may; a page elsewhere with a token of its own too.
    async with open_socket(server, cookie=manager.cookie, origin=PARTNER) as ws:
        assert await ws.next_data(await ws.subscribe(PENDING)) == {"pendingApprovalCount": 0}
    secret = await token_of(manager, "Intégration")
    async with open_socket(
        server, origin="https://outil.example", payload={"Authorization": f"Bearer {secret}"}
    ) as ws:
        assert await ws.next_data(await ws.subscribe(PENDING)) == {"pendingApprovalCount": 0}


async def test_a_connection_runs_a_limited_number_of_subscriptions(
    server: LiveServer, world: TicketWorld, browsers: Any
) -> None:
    manager = await browsers("manager")
    async with open_socket(server, cookie=manager.cookie) as ws:
        running = [await ws.subscribe(PENDING) for _ in range(LIMIT)]
        for operation in running:
            assert await ws.next_data(operation) == {"pendingApprovalCount": 0}
        over = await ws.subscribe(PENDING)
        refused = await ws.expect(over)
        assert refused["type"] == "error"
        assert "limit" in refused["payload"][0]["message"].lower()

        await ws.send({"id": running[0], "type": "complete"})  # one ends: room for another
        again = await ws.subscribe(PENDING)
        assert await ws.next_data(again, WAIT) == {"pendingApprovalCount": 0}


@pytest.mark.parametrize("subprotocols", [["graphql-ws"], []], ids=["legacy graphql-ws", "none"])
async def test_only_the_graphql_transport_ws_protocol_is_spoken(
    server: LiveServer, world: TicketWorld, browsers: Any, subprotocols: list[str]
) -> None:
    manager = await browsers("manager")
    with pytest.raises(InvalidStatus) as refused:
        async with open_socket(server, cookie=manager.cookie, subprotocols=subprotocols):
            pass
    assert refused.value.response.status_code == 403
