"""Concurrent writers, on SQLite and on PostgreSQL: optimistic versions hold, one decision per
approval, gap-free numbers, and no writer ever sees a lock error or an internal error; a transaction
that lost a race (deadlock, serialization failure, SQLite still locked) runs again, once.

These requests go through the app in-process: on PostgreSQL they use several pooled connections at
once; on SQLite the one connection queues them. tests/system/test_writers.py repeats the SQLite side
against a real server process, with another process writing to the same file.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from tortoise.exceptions import OperationalError

from backend import models
from backend.models import ApprovalState, MembershipStatus
from backend.services import structures
from tests.api.users_helpers import APPROVE, REFUSE, REQUEST_ATTACHMENT, pk_of
from tests.conftest import Accounts, GraphQLClient
from tests.tickets_world import SUBMIT, TicketWorld, build_ticket_world, gid

UPDATE = """mutation($id: ID!, $version: Int!, $input: UpdateStructureInput!) {
  updateStructure(id: $id, version: $version, input: $input) {
    structure { label version } errors { code field message } } }"""
CREATE = """mutation($input: CreateStructureInput!) {
  createStructure(input: $input) { structure { id identifier } errors { code field message } } }"""

FORBIDDEN_WORDS = ("database is locked", "Traceback", "OperationalError", "deadlock", "serializ")


@pytest.fixture
async def tw(db, app) -> AsyncIterator[TicketWorld]:
    world = await build_ticket_world(app)
    yield world
    await world.close()


async def _browsers(tw: TicketWorld, role: str, count: int) -> list[GraphQLClient]:
    """``count`` browsers of the same person: each its own HTTP client, as many tabs would be."""
    first = await tw.as_(role)
    browsers = []
    for _ in range(count):
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=tw.app),
            base_url="http://testserver",
            cookies=first.http.cookies,
        )
        tw._http.append(http)
        browser = GraphQLClient(http, first.email)
        browsers.append(browser)
    return browsers


def assert_clean(body: dict[str, Any]) -> None:
    """A well-formed answer: no top-level error (INTERNAL or otherwise), no leaked lock message."""
    assert "errors" not in body, body["errors"]
    text = str(body)
    assert not [word for word in FORBIDDEN_WORDS if word.lower() in text.lower()], body


async def test_fifty_updates_of_the_same_version_one_wins_the_others_conflict(tw: TicketWorld) -> None:
    structure = await models.Structure.get(id=tw.issuer.id)
    browsers = await _browsers(tw, "manager", 50)

    async def update(i: int) -> dict[str, Any]:
        variables = {
            "id": gid("Structure", structure.id),
            "version": structure.version,
            "input": {"label": f"L{i}"},
        }
        body = await browsers[i].post(UPDATE, variables)
        assert_clean(body)
        return body["data"]["updateStructure"]

    payloads = await asyncio.gather(*(update(i) for i in range(50)))
    winners = [i for i, p in enumerate(payloads) if p["errors"] == []]
    assert len(winners) == 1, payloads
    losers = [p for p in payloads if p["errors"]]
    assert [p["errors"][0]["code"] for p in losers] == ["CONFLICT"] * 49
    assert all(p["structure"] is None for p in losers)
    # No lost update: the row holds the winner's value, one version further, with one audit event.
    after = await models.Structure.get(id=structure.id)
    assert after.label == f"L{winners[0]}"
    assert after.version == structure.version + 1
    assert payloads[winners[0]]["structure"] == {"label": after.label, "version": after.version}
    assert await models.AuditEvent.filter(action="structure.update", target_id=structure.id).count() == 1


async def test_approve_and_refuse_at_the_same_time_make_one_decision(
    tw: TicketWorld, accounts: Accounts
) -> None:
    newcomers = [
        await accounts.signed_in(f"nouveau{i}@example.org", first_name=f"N{i}", last_name="Nouveau")
        for i in range(4)
    ]
    approvals = []
    for browser in newcomers:
        payload = (
            await browser.query(
                REQUEST_ATTACHMENT, {"input": {"structureId": gid("Structure", tw.issuer.id)}}
            )
        )["requestAttachment"]
        assert payload["errors"] == [], payload
        approvals.append(payload["approval"]["id"])
    deciders = await _browsers(tw, "manager", 2 * len(approvals))

    async def decide(i: int) -> tuple[str, dict[str, Any]]:
        approval = approvals[i // 2]
        if i % 2 == 0:
            body = await deciders[i].post(APPROVE, {"id": approval, "comment": "Oui."})
            assert_clean(body)
            return "APPROVED", body["data"]["approve"]
        body = await deciders[i].post(REFUSE, {"id": approval, "reason": "Non."})
        assert_clean(body)
        return "REFUSED", body["data"]["refuse"]

    outcomes = await asyncio.gather(*(decide(i) for i in range(2 * len(approvals))))
    for n, approval_id in enumerate(approvals):
        pair = outcomes[2 * n : 2 * n + 2]
        won = [state for state, payload in pair if payload["errors"] == []]
        lost = [payload["errors"][0]["code"] for _, payload in pair if payload["errors"]]
        assert len(won) == 1 and lost == ["INVALID_STATE"], pair
        approval = await models.Approval.get(id=pk_of(approval_id))
        assert approval.state == ApprovalState(won[0])
        membership = await models.Membership.get(id=approval.membership_id)
        expected = MembershipStatus.ACTIVE if won[0] == "APPROVED" else MembershipStatus.REFUSED
        assert membership.status == expected
        decisions = await models.AuditEvent.filter(
            action__in=["approval.approve", "approval.refuse"], target_id=approval.id
        ).count()
        assert decisions == 1


async def test_a_hundred_concurrent_writers_get_answers_and_distinct_gap_free_numbers(
    tw: TicketWorld,
) -> None:
    members = await _browsers(tw, "member", 35)
    managers = await _browsers(tw, "manager", 65)
    address = {"line1": "1 place Bellecour", "postalCode": "69002", "city": "Lyon", "country": "FR"}

    async def write(i: int) -> dict[str, Any]:
        if i % 3 == 2:  # a PARTICULIER structure: its identifier comes from a counter too
            body = await managers[i % 65].post(
                CREATE,
                {"input": {"identifierType": "PARTICULIER", "name": f"Particulier {i}", "address": address}},
            )
            assert_clean(body)
            return body["data"]["createStructure"]
        browser = members[i % 35] if i % 2 else managers[i % 65]
        body = await browser.post(SUBMIT, {"input": tw.input("invoice", title=f"Écrivain {i}")})
        assert_clean(body)
        return body["data"]["submitTicket"]

    payloads = await asyncio.gather(*(write(i) for i in range(100)))
    assert [p["errors"] for p in payloads] == [[]] * 100
    numbers = sorted(p["ticket"]["number"] for p in payloads if "ticket" in p)
    assert numbers == [f"CPROCS{n:07d}" for n in range(1, len(numbers) + 1)]
    identifiers = [p["structure"]["identifier"] for p in payloads if "structure" in p]
    assert len(set(identifiers)) == len(identifiers) == 33
    assert await models.Ticket.filter(number__not_isnull=True).count() == len(numbers)


@pytest.mark.parametrize(
    "race",
    [
        lambda: asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        lambda: asyncpg.exceptions.SerializationError("could not serialize access"),
        lambda: OperationalError("database is locked"),
    ],
    ids=["deadlock", "serialization", "sqlite-busy"],
)
async def test_a_transaction_that_lost_a_race_runs_again_and_writes_once(
    tw: TicketWorld, monkeypatch, race
) -> None:
    real_audit = structures.audit
    calls = []

    async def audit_losing_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        if len(calls) == 1:
            raise race()  # inside the transaction, after the UPDATE: everything rolls back
        return await real_audit(*args, **kwargs)

    monkeypatch.setattr(structures, "audit", audit_losing_once)
    structure = await models.Structure.get(id=tw.issuer.id)
    manager = await tw.as_("manager")
    variables = {
        "id": gid("Structure", structure.id),
        "version": structure.version,
        "input": {"label": "Réessayé"},
    }
    body = await manager.post(UPDATE, variables)
    assert_clean(body)
    assert body["data"]["updateStructure"] == {
        "structure": {"label": "Réessayé", "version": structure.version + 1},
        "errors": [],
    }
    assert len(calls) == 2
    assert await models.AuditEvent.filter(action="structure.update", target_id=structure.id).count() == 1


async def test_any_other_failure_is_not_run_again(tw: TicketWorld, monkeypatch) -> None:
    calls = []

    async def failing_audit(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(structures, "audit", failing_audit)
    structure = await models.Structure.get(id=tw.issuer.id)
    manager = await tw.as_("manager")
    variables = {
        "id": gid("Structure", structure.id),
        "version": structure.version,
        "input": {"label": "Jamais"},
    }
    body = await manager.post(UPDATE, variables)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert len(calls) == 1
    assert (await models.Structure.get(id=structure.id)).version == structure.version
