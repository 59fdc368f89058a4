"""Support tickets through GraphQL: drafts, submission, and every step of the life cycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from backend import models
from tests.tickets_world import (
    ACCEPT,
    ASSIGN,
    CLOSE,
    COMMENT,
    DELETE_DRAFT,
    PROVIDE,
    RECEIVED,
    REOPEN,
    REQUEST_INFO,
    RESOLVE,
    SAVE_DRAFT,
    SUBMIT,
    TICKET,
    TICKETS,
    TRANSFER,
    TicketWorld,
    build_ticket_world,
    counts,
    gid,
)


@pytest.fixture
async def tw(db, app) -> AsyncIterator[TicketWorld]:
    world = await build_ticket_world(app)
    yield world
    await world.close()


async def numbers_in(tw: TicketWorld, role: str, tab: str) -> list[str | None]:
    data = await (await tw.as_(role)).query(TICKETS, {"tab": tab})
    return [edge["node"]["number"] for edge in data["tickets"]["edges"]]


async def ticket_in(tw: TicketWorld, status: str, kind: str = "invoice") -> dict[str, Any]:
    """A ticket brought to ``status`` through the API (issuer: member; recipient: recipient or support)."""
    if status == "DRAFT":
        data = await (await tw.as_("member")).query(SAVE_DRAFT, {"input": tw.input(kind)})
        return data["saveTicketDraft"]["ticket"]
    ticket = await tw.submit("member", kind)
    worker = "recipient" if kind == "invoice" else "support"
    if status == "AWAITING_INFORMATION":
        ticket = (await tw.act(worker, REQUEST_INFO, id=ticket["id"], body="Votre RIB ?"))["ticket"]
    elif status in ("RESOLVED", "CLOSED"):
        ticket = (await tw.act(worker, RESOLVE, id=ticket["id"], solution="Payée le 3 mars."))["ticket"]
        if status == "CLOSED":
            ticket = (await tw.act("member", ACCEPT, id=ticket["id"]))["ticket"]
    assert ticket["status"] == status
    return ticket


# ------------------------------------------------------------------------------ creation


async def test_a_business_ticket_about_an_invoice_is_submitted_numbered_and_opened(tw: TicketWorld) -> None:
    ticket = await tw.submit("member", "invoice", contactPhone="01 02 03 04 05")

    assert ticket["number"] == "CPROCS0000001"
    assert ticket["status"] == "OPEN"
    assert ticket["category"]["code"] == "FACTURES_EMISES"
    assert ticket["subcategory"]["code"] == "FACTURES_EMISES_QUESTION_DESTINATAIRE"
    assert (ticket["objectType"], ticket["objectNumber"]) == ("FACTURE", "FAC-2026-042")
    assert ticket["issuerStructure"]["name"] == "Entreprise du Monde"
    assert ticket["recipientStructure"]["name"] == "Collège Simone Veil"
    # The issuing structure's email fills in the contact.
    assert ticket["contactEmail"] == "contact@monde.test"
    assert ticket["contactPhone"] == "01 02 03 04 05"
    assert ticket["createdBy"]["firstName"] == "Member"
    assert ticket["submittedAt"] and ticket["closedAt"] is None
    [created] = ticket["activities"]
    assert (created["kind"], created["fromStatus"], created["toStatus"]) == ("CREATED", "DRAFT", "OPEN")
    assert created["author"]["firstName"] == "Member"
    assert ticket["viewerActions"] == ["CLOSE", "COMMENT"]

    # The recipient sees it in its queue, with its own actions.
    received = await (await tw.as_("recipient")).query(RECEIVED)
    assert [e["node"]["number"] for e in received["receivedTickets"]["edges"]] == ["CPROCS0000001"]
    seen = (await (await tw.as_("recipient")).query(TICKET, {"number": "cprocs0000001"}))["ticket"]
    assert seen["viewerActions"] == [
        "ASSIGN",
        "REQUEST_INFORMATION",
        "RESOLVE",
        "TRANSFER_TO_SUPPORT",
        "COMMENT",
    ]

    event = await models.AuditEvent.filter(action="ticket.submit").get()
    assert event.actor_id == tw.user("member").id and event.structure_id == tw.issuer.id


async def test_a_support_ticket_has_no_recipient_and_the_creators_email_when_the_structure_has_none(
    tw: TicketWorld,
) -> None:
    ticket = await tw.submit(
        "stranger", "support", issuerStructureId=gid("Structure", tw.base.other.id), title="Accès impossible"
    )
    assert ticket["recipientStructure"] is None
    assert ticket["objectType"] is None
    assert ticket["contactEmail"] == "stranger@monde.test"
    support = await (await tw.as_("support")).query(RECEIVED)
    assert [e["node"]["number"] for e in support["receivedTickets"]["edges"]] == [ticket["number"]]


async def test_a_service_member_issues_from_their_service(tw: TicketWorld) -> None:
    ticket = await tw.submit("service_member", "support", issuerServiceId=gid("Service", tw.base.service.id))
    assert ticket["issuerService"]["code"] == "COMPTA"


async def test_a_draft_is_saved_incomplete_edited_then_submitted_and_numbered(tw: TicketWorld) -> None:
    member = await tw.as_("member")
    first = tw.input("invoice", recipientStructureId=None, objectNumber=None, title="Brouillon")
    saved = (await member.query(SAVE_DRAFT, {"input": first}))["saveTicketDraft"]
    assert saved["errors"] == []
    draft = saved["ticket"]
    assert (draft["status"], draft["number"], draft["activities"]) == ("DRAFT", None, [])
    assert draft["viewerActions"] == ["EDIT_DRAFT", "SUBMIT", "DELETE_DRAFT"]

    edited = await member.query(
        SAVE_DRAFT, {"id": draft["id"], "input": tw.input("invoice", title="Relance")}
    )
    assert edited["saveTicketDraft"]["errors"] == []
    assert edited["saveTicketDraft"]["ticket"]["title"] == "Relance"
    assert await numbers_in(tw, "member", "DRAFTS") == [None]
    # A draft is its author's: not in a colleague's tabs, not readable by id.
    assert await numbers_in(tw, "manager", "DRAFTS") == []
    assert await numbers_in(tw, "manager", "IN_PROGRESS") == []
    body = await (await tw.as_("manager")).post(TICKET, {"id": draft["id"]})
    assert body["data"]["ticket"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    submitted = (await member.query(SUBMIT, {"id": draft["id"]}))["submitTicket"]
    assert submitted["errors"] == []
    assert (submitted["ticket"]["number"], submitted["ticket"]["status"]) == ("CPROCS0000001", "OPEN")
    assert submitted["ticket"]["title"] == "Relance"
    assert await numbers_in(tw, "member", "DRAFTS") == []
    assert await numbers_in(tw, "manager", "IN_PROGRESS") == ["CPROCS0000001"]

    again = (await member.query(SUBMIT, {"id": draft["id"]}))["submitTicket"]
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]
    assert await models.Sequence.filter(name="ticket").values_list("value", flat=True) == [1]


async def test_submitting_a_draft_with_changes_saves_them_in_the_same_step(tw: TicketWorld) -> None:
    member = await tw.as_("member")
    draft = (await member.query(SAVE_DRAFT, {"input": tw.input("invoice", title="Avant")}))["saveTicketDraft"]
    payload = (
        await member.query(SUBMIT, {"id": draft["ticket"]["id"], "input": tw.input("invoice", title="Après")})
    )["submitTicket"]
    assert payload["errors"] == [] and payload["ticket"]["title"] == "Après"
    assert await models.Ticket.all().count() == 1


async def test_a_draft_is_deleted_by_its_author_only(tw: TicketWorld) -> None:
    draft = await ticket_in(tw, "DRAFT")
    refused = await tw.act("manager", DELETE_DRAFT, id=draft["id"])
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"] and refused["deletedId"] is None
    deleted = await tw.act("member", DELETE_DRAFT, id=draft["id"])
    assert deleted == {"deletedId": draft["id"], "errors": []}
    assert await models.Ticket.all().count() == 0
    assert await models.AuditEvent.filter(action="ticket.delete_draft").count() == 1

    submitted = await tw.submit()
    refused = await tw.act("member", DELETE_DRAFT, id=submitted["id"])
    assert [e["code"] for e in refused["errors"]] == ["INVALID_STATE"]
    assert await models.Ticket.all().count() == 1


# ------------------------------------------------------------------------------ the life cycle


async def test_the_recipient_asks_for_information_and_the_issuer_answers(tw: TicketWorld) -> None:
    ticket = await tw.submit()
    asked = await tw.act(
        "recipient", REQUEST_INFO, id=ticket["id"], body="Pouvez-vous nous envoyer votre RIB ?"
    )
    assert asked["errors"] == [] and asked["ticket"]["status"] == "AWAITING_INFORMATION"
    assert await numbers_in(tw, "member", "ACTION_REQUIRED") == [ticket["number"]]
    assert await numbers_in(tw, "member", "IN_PROGRESS") == [ticket["number"]]

    blank = await tw.act("member", PROVIDE, id=ticket["id"], body="   ")
    assert [(e["code"], e["field"]) for e in blank["errors"]] == [("REQUIRED", ["body"])]
    answered = await tw.act("member", PROVIDE, id=ticket["id"], body="Voici notre RIB.")
    assert answered["errors"] == [] and answered["ticket"]["status"] == "OPEN"
    assert await numbers_in(tw, "member", "ACTION_REQUIRED") == []

    kinds = [(a["kind"], a["fromStatus"], a["toStatus"], a["body"]) for a in answered["ticket"]["activities"]]
    assert kinds == [
        ("CREATED", "DRAFT", "OPEN", None),
        ("INFORMATION_REQUESTED", "OPEN", "AWAITING_INFORMATION", "Pouvez-vous nous envoyer votre RIB ?"),
        ("INFORMATION_PROVIDED", "AWAITING_INFORMATION", "OPEN", "Voici notre RIB."),
    ]
    authors = [a["author"]["firstName"] for a in answered["ticket"]["activities"]]
    assert authors == ["Member", "Recipient", "Member"]


async def test_a_resolved_ticket_waits_for_the_issuer_who_accepts_the_solution(tw: TicketWorld) -> None:
    ticket = await tw.submit()
    blank = await tw.act("recipient", RESOLVE, id=ticket["id"], solution="")
    assert [(e["code"], e["field"]) for e in blank["errors"]] == [("REQUIRED", ["solution"])]
    resolved = await tw.act("recipient", RESOLVE, id=ticket["id"], solution="Facture payée le 3 mars.")
    assert resolved["ticket"]["status"] == "RESOLVED"
    assert await numbers_in(tw, "member", "ACTION_REQUIRED") == [ticket["number"]]
    seen = (await (await tw.as_("member")).query(TICKET, {"id": ticket["id"]}))["ticket"]
    assert seen["viewerActions"] == ["ACCEPT_SOLUTION", "REOPEN", "CLOSE", "COMMENT"]

    accepted = await tw.act("member", ACCEPT, id=ticket["id"])
    assert accepted["errors"] == []
    assert (accepted["ticket"]["status"], accepted["ticket"]["activities"][-1]["kind"]) == (
        "CLOSED",
        "SOLUTION_ACCEPTED",
    )
    assert accepted["ticket"]["closedAt"] is not None
    assert accepted["ticket"]["viewerActions"] == []
    assert await numbers_in(tw, "member", "CLOSED") == [ticket["number"]]
    assert await numbers_in(tw, "member", "IN_PROGRESS") == []


async def test_sending_back_a_solution_needs_a_reason_and_reopens_the_ticket(tw: TicketWorld) -> None:
    ticket = await ticket_in(tw, "RESOLVED")
    blank = await tw.act("member", REOPEN, id=ticket["id"], reason=" ")
    assert [(e["code"], e["field"]) for e in blank["errors"]] == [("REQUIRED", ["reason"])]
    assert blank["errors"][0]["message"].startswith("Expliquez")
    reopened = await tw.act("member", REOPEN, id=ticket["id"], reason="Toujours pas payé.")
    assert reopened["ticket"]["status"] == "OPEN"
    assert reopened["ticket"]["activities"][-1]["kind"] == "REOPENED"
    assert reopened["ticket"]["activities"][-1]["body"] == "Toujours pas payé."


@pytest.mark.parametrize("status", ["OPEN", "AWAITING_INFORMATION", "RESOLVED"])
async def test_the_issuer_may_close_an_open_ticket(tw: TicketWorld, status: str) -> None:
    ticket = await ticket_in(tw, status)
    closed = await tw.act("manager", CLOSE, id=ticket["id"])
    assert closed["errors"] == []
    activity = closed["ticket"]["activities"][-1]
    assert (activity["kind"], activity["fromStatus"], activity["toStatus"]) == ("CLOSED", status, "CLOSED")


async def test_the_recipient_takes_the_ticket_or_gives_it_to_a_colleague_who_may_work_it(
    tw: TicketWorld,
) -> None:
    ticket = await tw.submit()
    mine = await tw.act("recipient", ASSIGN, id=ticket["id"])
    assert mine["ticket"]["assignee"]["firstName"] == "Recipient"
    assert mine["ticket"]["status"] == "OPEN"
    assert mine["ticket"]["activities"][-1]["kind"] == "ASSIGNED"

    reader = gid("User", tw.user("reader").id)  # consultation only: may not work it
    refused = await tw.act("recipient", ASSIGN, id=ticket["id"], to=reader)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("VALIDATION", ["assigneeId"])]
    stranger = gid("User", tw.user("stranger").id)
    refused = await tw.act("recipient", ASSIGN, id=ticket["id"], to=stranger)
    assert [e["code"] for e in refused["errors"]] == ["VALIDATION"]
    admin = gid("User", tw.user("admin").id)
    given = await tw.act("recipient", ASSIGN, id=ticket["id"], to=admin)
    assert given["ticket"]["assignee"]["firstName"] == "Admin"


async def test_a_business_recipient_transfers_the_ticket_to_the_platform_support(tw: TicketWorld) -> None:
    ticket = await tw.submit()
    await tw.act("recipient", ASSIGN, id=ticket["id"])
    blank = await tw.act("recipient", TRANSFER, id=ticket["id"], reason="")
    assert [e["code"] for e in blank["errors"]] == ["REQUIRED"]
    moved = await tw.act("recipient", TRANSFER, id=ticket["id"], reason="Question technique.")
    assert moved["errors"] == []
    assert (moved["ticket"]["recipientStructure"], moved["ticket"]["assignee"]) == (None, None)
    assert moved["ticket"]["activities"][-1]["kind"] == "TRANSFERRED"

    # It left the business recipient's queue and reached the support's.
    assert (await (await tw.as_("recipient")).query(RECEIVED))["receivedTickets"]["totalCount"] == 0
    body = await (await tw.as_("recipient")).post(TICKET, {"id": ticket["id"]})
    assert body["data"]["ticket"] is None
    support = await (await tw.as_("support")).query(RECEIVED)
    assert support["receivedTickets"]["totalCount"] == 1
    again = await tw.act("support", TRANSFER, id=ticket["id"], reason="Encore")
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]
    resolved = await tw.act("support", RESOLVE, id=ticket["id"], solution="Corrigé.")
    assert resolved["ticket"]["status"] == "RESOLVED"


async def test_both_sides_comment_while_the_ticket_is_open(tw: TicketWorld) -> None:
    ticket = await tw.submit()
    by_issuer = await tw.act("member", COMMENT, id=ticket["id"], body="Une précision.")
    by_recipient = await tw.act("recipient", COMMENT, id=ticket["id"], body="Bien reçu.")
    assert by_issuer["errors"] == [] and by_recipient["errors"] == []
    comments = [
        (a["kind"], a["body"], a["author"]["firstName"]) for a in by_recipient["ticket"]["activities"][1:]
    ]
    assert comments == [("COMMENT", "Une précision.", "Member"), ("COMMENT", "Bien reçu.", "Recipient")]
    assert by_recipient["ticket"]["status"] == "OPEN"
    blank = await tw.act("member", COMMENT, id=ticket["id"], body=" ")
    assert [(e["code"], e["field"]) for e in blank["errors"]] == [("REQUIRED", ["body"])]
    # Consultation on either side does not comment.
    for role in ("consultant", "reader"):
        refused = await tw.act(role, COMMENT, id=ticket["id"], body="Moi aussi.")
        assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"], role


# ------------------------------------------------------------------------------ the transition table

ACTIONS = {
    # action: (mutation, side's role, extra variables, statuses it is allowed from)
    "submit": (SUBMIT, "member", {}, {"DRAFT"}),
    "request_information": (REQUEST_INFO, "recipient", {"body": "?"}, {"OPEN"}),
    "provide_information": (PROVIDE, "member", {"body": "!"}, {"AWAITING_INFORMATION"}),
    "resolve": (RESOLVE, "recipient", {"solution": "ok"}, {"OPEN"}),
    "accept_solution": (ACCEPT, "member", {}, {"RESOLVED"}),
    "reopen": (REOPEN, "member", {"reason": "non"}, {"RESOLVED"}),
    "close": (CLOSE, "member", {}, {"OPEN", "AWAITING_INFORMATION", "RESOLVED"}),
    "assign": (ASSIGN, "recipient", {}, {"OPEN"}),
    "transfer": (TRANSFER, "recipient", {"reason": "support"}, {"OPEN"}),
    "comment": (COMMENT, "member", {"body": "mot"}, {"OPEN", "AWAITING_INFORMATION", "RESOLVED"}),
}
STATUSES = ["DRAFT", "OPEN", "AWAITING_INFORMATION", "RESOLVED", "CLOSED"]
ILLEGAL = [
    (action, status)
    for action, (_, _, _, allowed) in ACTIONS.items()
    for status in STATUSES
    if status not in allowed and not (status == "DRAFT" and ACTIONS[action][1] == "recipient")
]


@pytest.mark.parametrize(("action", "status"), ILLEGAL, ids=[f"{a}-from-{s}" for a, s in ILLEGAL])
async def test_a_transition_the_status_does_not_allow_is_invalid_state_and_writes_nothing(
    tw: TicketWorld, action: str, status: str
) -> None:
    ticket = await ticket_in(tw, status)
    mutation, role, variables, _ = ACTIONS[action]
    before = await counts()
    payload = await tw.act(role, mutation, id=ticket["id"], **variables)
    assert payload["ticket"] is None
    [error] = payload["errors"]
    assert error["code"] == "INVALID_STATE", error
    assert "statut" in error["message"] or "brouillon" in error["message"]
    assert await counts() == before
    assert (await models.Ticket.get(id=int(_pk(ticket["id"])))).status == status


def _pk(global_id: str) -> str:
    from strawberry import relay

    return relay.GlobalID.from_id(global_id).node_id


OTHER_SIDE = [
    ("resolve", "member"),  # the issuer resolving
    ("request_information", "member"),
    ("assign", "manager"),
    ("transfer", "member"),
    ("close", "recipient"),  # the recipient closing
    ("reopen", "recipient"),
    ("accept_solution", "recipient"),
    ("provide_information", "recipient"),
]


@pytest.mark.parametrize(("action", "role"), OTHER_SIDE, ids=[f"{a}-by-{r}" for a, r in OTHER_SIDE])
async def test_a_transition_of_the_other_side_is_forbidden_and_writes_nothing(
    tw: TicketWorld, action: str, role: str
) -> None:
    mutation, _, variables, allowed = ACTIONS[action]
    ticket = await ticket_in(tw, sorted(allowed)[0])
    before = await counts()
    payload = await tw.act(role, mutation, id=ticket["id"], **variables)
    assert payload["ticket"] is None
    [error] = payload["errors"]
    assert error["code"] == "FORBIDDEN" and "Cette action revient" in error["message"]
    assert await counts() == before


@pytest.mark.parametrize("role", ["consultant", "reader", "stranger", "service_member", "desk", "support"])
async def test_nobody_outside_the_sides_moves_a_ticket(tw: TicketWorld, role: str) -> None:
    ticket = await tw.submit()
    before = await counts()
    for mutation, variables in ((CLOSE, {}), (RESOLVE, {"solution": "x"})):
        payload = await tw.act(role, mutation, id=ticket["id"], **variables)
        assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"], (role, payload)
    assert await counts() == before


async def test_every_step_is_an_activity_and_an_audit_event(tw: TicketWorld) -> None:
    ticket = await ticket_in(tw, "RESOLVED")
    await tw.act("member", REOPEN, id=ticket["id"], reason="Non.")
    await tw.act("recipient", RESOLVE, id=ticket["id"], solution="Si.")
    await tw.act("member", CLOSE, id=ticket["id"])
    row = await models.Ticket.get(id=int(_pk(ticket["id"])))
    activities = await models.TicketActivity.filter(ticket_id=row.id).order_by("id")
    assert [a.kind.value for a in activities] == ["CREATED", "RESOLVED", "REOPENED", "RESOLVED", "CLOSED"]
    assert all(a.author_id is not None and a.created_at is not None for a in activities)
    actions = (
        await models.AuditEvent.filter(target_type="Ticket", target_id=str(row.id))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["ticket.submit", "ticket.resolve", "ticket.reopen", "ticket.resolve", "ticket.close"]
    assert row.version == 5 and row.closed_at is not None
