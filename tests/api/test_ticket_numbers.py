"""Ticket numbers: CPROCS + 7 digits, in order, unique and gap-free, even for submissions at the same
instant (the counter is incremented inside the submitting transaction; a rollback gives it back)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from backend import models
from backend.services import tickets
from tests.tickets_world import SAVE_DRAFT, SUBMIT, TicketWorld, build_ticket_world

COUNT = 50


@pytest.fixture
async def tw(db, app) -> AsyncIterator[TicketWorld]:
    world = await build_ticket_world(app)
    yield world
    await world.close()


async def test_fifty_tickets_submitted_at_once_get_fifty_distinct_consecutive_numbers(
    tw: TicketWorld,
) -> None:
    clients = [await tw.as_(role) for role in ("member", "manager")]

    async def one(i: int) -> dict:
        client = clients[i % 2]
        data = await client.query(SUBMIT, {"input": tw.input("invoice", title=f"Simultané {i}")})
        return data["submitTicket"]

    payloads = await asyncio.gather(*(one(i) for i in range(COUNT)))
    assert [p["errors"] for p in payloads] == [[]] * COUNT
    numbers = sorted(p["ticket"]["number"] for p in payloads)
    assert numbers == [f"CPROCS{n:07d}" for n in range(1, COUNT + 1)]
    assert await models.Ticket.filter(number__not_isnull=True).count() == COUNT
    assert await models.Sequence.filter(name="ticket").values_list("value", flat=True) == [COUNT]


async def test_drafts_submitted_at_once_are_numbered_once_each(tw: TicketWorld) -> None:
    member = await tw.as_("member")
    drafts = [
        (await member.query(SAVE_DRAFT, {"input": tw.input("support", title=f"Brouillon {i}")}))[
            "saveTicketDraft"
        ]["ticket"]["id"]
        for i in range(10)
    ]
    # Each draft submitted twice at the same time: one submission wins, the other finds it OPEN.
    payloads = await asyncio.gather(*(member.query(SUBMIT, {"id": d}) for d in drafts + drafts))
    won = [p["submitTicket"]["ticket"]["number"] for p in payloads if not p["submitTicket"]["errors"]]
    lost = [p["submitTicket"]["errors"][0]["code"] for p in payloads if p["submitTicket"]["errors"]]
    assert sorted(won) == [f"CPROCS{n:07d}" for n in range(1, 11)]
    assert lost == ["INVALID_STATE"] * 10


async def test_a_refused_or_failed_submission_takes_no_number(tw: TicketWorld, monkeypatch) -> None:
    refused = await (await tw.as_("member")).query(
        SUBMIT, {"input": tw.input("invoice", recipientStructureId=None)}
    )
    assert refused["submitTicket"]["errors"]
    first = await tw.submit()
    assert first["number"] == "CPROCS0000001"

    # A failure after the number was taken rolls it back with the rest of the transaction.
    real_audit = tickets.audit

    async def failing_audit(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(tickets, "audit", failing_audit)
    body = await (await tw.as_("member")).post(SUBMIT, {"input": tw.input("invoice")})
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    monkeypatch.setattr(tickets, "audit", real_audit)
    assert await models.Ticket.all().count() == 1

    second = await tw.submit()
    assert second["number"] == "CPROCS0000002"
