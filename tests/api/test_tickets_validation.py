"""Every bad input of a ticket: a clear French message, a stable code, the field at fault, nothing written.
Attachments follow the document rules and are readable by whoever may read the ticket."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from backend import models
from backend.models import ActivityStatus
from tests.conftest import GraphQLClient
from tests.tickets_world import (
    COMMENT,
    PAYLOAD,
    SAVE_DRAFT,
    SUBMIT,
    TicketWorld,
    build_ticket_world,
    counts,
    gid,
)

PDF = b"%PDF-1.4\n% ticket attachment\n%%EOF\n"


@pytest.fixture
async def tw(db, app) -> AsyncIterator[TicketWorld]:
    world = await build_ticket_world(app)
    yield world
    await world.close()


async def refused_submission(tw: TicketWorld, role: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    """Submit ``values`` as ``role``: the errors, after checking that nothing was written."""
    client = await tw.as_(role)
    before = await counts()
    payload = (await client.query(SUBMIT, {"input": values}))["submitTicket"]
    assert payload["ticket"] is None, payload
    assert payload["errors"], payload
    assert await counts() == before
    return payload["errors"]


def codes(errors: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    return [(e["code"], e["field"]) for e in errors]


async def test_a_business_sub_category_without_recipient_is_required(tw: TicketWorld) -> None:
    errors = await refused_submission(tw, "member", tw.input("invoice", recipientStructureId=None))
    assert codes(errors) == [("REQUIRED", ["input", "recipientStructureId"])]
    assert "structure destinataire" in errors[0]["message"]
    assert "M - Question pour le destinataire de ma facture" in errors[0]["message"]


async def test_an_object_sub_category_needs_the_object_type_and_number(tw: TicketWorld) -> None:
    errors = await refused_submission(tw, "member", tw.input("invoice", objectNumber=None))
    assert codes(errors) == [("REQUIRED", ["input", "objectNumber"])]
    assert errors[0]["message"] == "Indiquez le numéro de l'objet concerné."
    errors = await refused_submission(tw, "member", tw.input("refund", objectType=None, objectNumber="  "))
    assert codes(errors) == [("REQUIRED", ["input", "objectType"]), ("REQUIRED", ["input", "objectNumber"])]
    assert "demande de remboursement" in errors[0]["message"]


async def test_an_object_type_the_sub_category_does_not_accept_is_refused(tw: TicketWorld) -> None:
    errors = await refused_submission(tw, "member", tw.input("invoice", objectType="MEMOIRE"))
    assert codes(errors) == [("VALIDATION", ["input", "objectType"])]
    assert "n'accepte pas le type d'objet « Mémoire »" in errors[0]["message"]
    errors = await refused_submission(
        tw, "member", tw.input("support", objectType="FACTURE", objectNumber="F1")
    )
    assert codes(errors) == [("VALIDATION", ["input", "objectType"])]


async def test_a_support_sub_category_takes_no_recipient(tw: TicketWorld) -> None:
    values = tw.input("support", recipientStructureId=gid("Structure", tw.recipient.id))
    errors = await refused_submission(tw, "member", values)
    assert codes(errors) == [("VALIDATION", ["input", "recipientStructureId"])]
    assert "support de la plateforme" in errors[0]["message"]


async def test_an_inactive_issuing_structure_cannot_issue(tw: TicketWorld) -> None:
    values = tw.input("invoice", issuerStructureId=gid("Structure", tw.inactive.id))
    errors = await refused_submission(tw, "manager", values)
    assert codes(errors) == [("INVALID_STATE", ["input", "issuerStructureId"])]
    assert errors[0]["message"] == (
        "La structure émettrice Ancienne Entreprise est inactive : elle ne peut pas émettre de ticket."
    )


async def test_an_inactive_recipient_cannot_receive(tw: TicketWorld) -> None:
    await models.Structure.filter(id=tw.recipient.id).update(status=ActivityStatus.INACTIVE)
    errors = await refused_submission(tw, "member", tw.input("invoice"))
    assert codes(errors) == [("INVALID_STATE", ["input", "recipientStructureId"])]
    assert "Collège Simone Veil est inactive" in errors[0]["message"]


async def test_an_inactive_recipient_stops_the_submission_of_an_older_draft(tw: TicketWorld) -> None:
    member = await tw.as_("member")
    draft = (await member.query(SAVE_DRAFT, {"input": tw.input("invoice")}))["saveTicketDraft"]["ticket"]
    await models.Structure.filter(id=tw.recipient.id).update(status=ActivityStatus.INACTIVE)
    before = await counts()
    payload = (await member.query(SUBMIT, {"id": draft["id"]}))["submitTicket"]
    assert codes(payload["errors"]) == [("INVALID_STATE", ["input", "recipientStructureId"])]
    assert await counts() == before
    assert (await models.Ticket.get()).status == "DRAFT"


@pytest.mark.parametrize("role", ["consultant", "stranger", "service_member", "recipient", "support"])
async def test_issuing_for_a_structure_without_sollicitations_emises_modification_is_forbidden(
    tw: TicketWorld, role: str
) -> None:
    errors = await refused_submission(tw, role, tw.input("invoice"))
    assert codes(errors) == [("FORBIDDEN", ["input", "issuerStructureId"])]
    assert "Sollicitations émises modification" in errors[0]["message"]
    # A draft is refused alike: the issuing structure is checked at once.
    client = await tw.as_(role)
    payload = (await client.query(SAVE_DRAFT, {"input": tw.input("invoice")}))["saveTicketDraft"]
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    assert await models.Ticket.all().count() == 0


async def test_an_unknown_issuing_structure_answers_like_a_forbidden_one(tw: TicketWorld) -> None:
    errors = await refused_submission(
        tw, "member", tw.input("invoice", issuerStructureId=gid("Structure", 999999))
    )
    assert codes(errors) == [("FORBIDDEN", ["input", "issuerStructureId"])]


async def test_mandatory_texts_and_mismatched_sub_category_are_all_reported_at_once(tw: TicketWorld) -> None:
    other = await models.TicketSubcategory.get(code="MARCHE_DUME")
    values = tw.input("support", title="  ", description="", subcategoryId=gid("TicketSubcategory", other.id))
    errors = await refused_submission(tw, "member", values)
    assert codes(errors) == [
        ("VALIDATION", ["input", "subcategoryId"]),
        ("REQUIRED", ["input", "title"]),
        ("REQUIRED", ["input", "description"]),
    ]
    assert all(e["message"] for e in errors)


async def test_malformed_ids_and_values_are_validation_errors(tw: TicketWorld) -> None:
    errors = await refused_submission(
        tw, "member", tw.input("invoice", categoryId="nimporte", recipientStructureId=gid("Service", 1))
    )
    assert codes(errors) == [
        ("VALIDATION", ["input", "categoryId"]),
        ("VALIDATION", ["input", "recipientStructureId"]),
    ]
    errors = await refused_submission(
        tw, "member", tw.input("invoice", contactPhone="appelez-moi", title="x" * 256)
    )
    assert codes(errors) == [("VALIDATION", ["input", "title"]), ("VALIDATION", ["input", "contactPhone"])]


async def test_without_a_session_the_mutation_answers_unauthenticated(tw: TicketWorld) -> None:
    client = await tw.as_("anonymous")
    payload = (await client.query(SUBMIT, {"input": tw.input("invoice")}))["submitTicket"]
    assert [e["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]
    body = await client.post("{ tickets(tab: IN_PROGRESS) { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# ------------------------------------------------------------------------------ attachments


async def multipart(
    client: GraphQLClient, query: str, variables: dict[str, Any], files: dict[str, tuple[str, bytes, str]]
) -> dict[str, Any]:
    """A GraphQL multipart request: each file fills the variable at its dotted path."""
    slots = {str(i): [f"variables.{path}"] for i, path in enumerate(files)}
    parts = {str(i): file for i, file in enumerate(files.values())}
    response = await client.http.post(
        "/graphql",
        data={"operations": json.dumps({"query": query, "variables": variables}), "map": json.dumps(slots)},
        files=parts,
        headers=client.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


SUBMIT_WITH_FILES = "mutation($input: TicketInput) { submitTicket(input: $input) { " + PAYLOAD + " } }"
COMMENT_WITH_FILES = (
    "mutation($id: ID!, $body: String!, $files: [Upload!]) {"
    " commentTicket(id: $id, body: $body, attachments: $files) { " + PAYLOAD + " } }"
)


async def test_an_oversized_attachment_is_refused_and_nothing_is_written(tw: TicketWorld) -> None:
    client = await tw.as_("member")
    small = PDF + b"% refused with its neighbour\n"
    big = PDF + b"0" * (10 * 1024 * 1024)
    before = await counts()
    values = {**tw.input("invoice"), "attachments": [None, None]}
    data = await multipart(
        client,
        SUBMIT_WITH_FILES,
        {"input": values},
        {
            "input.attachments.0": ("facture.pdf", small, "application/pdf"),
            "input.attachments.1": ("gros.pdf", big, "application/pdf"),
        },
    )
    payload = data["submitTicket"]
    assert payload["ticket"] is None
    assert codes(payload["errors"]) == [("VALIDATION", ["input", "attachments", "1"])]
    assert payload["errors"][0]["message"] == "Le fichier dépasse la taille maximale de 10 Mo."
    assert await counts() == before
    for content in (small, big):
        digest = hashlib.sha256(content).hexdigest()
        assert not (tw.app.state.settings.documents_dir / digest[:2] / digest).exists()


async def test_an_attachment_with_an_extension_not_accepted_is_refused(tw: TicketWorld) -> None:
    client = await tw.as_("member")
    values = {**tw.input("invoice"), "attachments": [None]}
    data = await multipart(
        client, SUBMIT_WITH_FILES, {"input": values}, {"input.attachments.0": ("script.exe", b"MZ", "x/y")}
    )
    assert codes(data["submitTicket"]["errors"]) == [("VALIDATION", ["input", "attachments", "0"])]
    assert "n'est pas accepté" in data["submitTicket"]["errors"][0]["message"]


async def test_attachments_are_stored_with_the_ticket_and_readable_by_both_sides_only(
    tw: TicketWorld,
) -> None:
    member = await tw.as_("member")
    values = {**tw.input("invoice"), "attachments": [None]}
    data = await multipart(
        member, SUBMIT_WITH_FILES, {"input": values}, {"input.attachments.0": ("facture.pdf", PDF, "x/y")}
    )
    ticket = data["submitTicket"]["ticket"]
    [document] = ticket["attachments"]
    assert (document["filename"], document["size"], document["contentType"]) == (
        "facture.pdf",
        len(PDF),
        "application/pdf",
    )

    # The recipient adds a file without a comment: an ATTACHMENT_ADDED activity.
    recipient = await tw.as_("recipient")
    data = await multipart(
        recipient,
        COMMENT_WITH_FILES,
        {"id": ticket["id"], "body": "", "files": [None]},
        {"files.0": ("reponse.txt", "Réponse jointe".encode(), "text/plain")},
    )
    payload = data["commentTicket"]
    assert payload["errors"] == []
    last = payload["ticket"]["activities"][-1]
    assert (last["kind"], last["body"], last["attachments"]) == (
        "ATTACHMENT_ADDED",
        None,
        [{"filename": "reponse.txt"}],
    )
    assert [a["filename"] for a in payload["ticket"]["attachments"]] == ["facture.pdf", "reponse.txt"]

    url = document["downloadUrl"]
    for role, status in (
        ("member", 200),
        ("recipient", 200),
        ("consultant", 200),
        ("stranger", 404),
        ("desk", 404),
    ):
        response = await (await tw.as_(role)).http.get(url)
        assert response.status_code == status, role
        if status == 200:
            assert response.content == PDF
    assert await models.Document.filter(ticket_id__not_isnull=True).count() == 2


async def test_no_attachment_is_added_to_a_closed_ticket(tw: TicketWorld) -> None:
    ticket = await tw.submit()
    await tw.act("member", "mutation($id: ID!) { closeTicket(id: $id) { errors { code } } }", id=ticket["id"])
    client = await tw.as_("member")
    before = await counts()
    data = await multipart(
        client,
        COMMENT_WITH_FILES,
        {"id": ticket["id"], "body": "", "files": [None]},
        {"files.0": ("tard.pdf", PDF, "application/pdf")},
    )
    assert [e["code"] for e in data["commentTicket"]["errors"]] == ["INVALID_STATE"]
    assert await counts() == before


async def test_a_draft_is_deleted_with_its_attachments(tw: TicketWorld) -> None:
    client = await tw.as_("member")
    values = {**tw.input("invoice"), "attachments": [None]}
    query = "mutation($input: TicketInput!) { saveTicketDraft(input: $input) { " + PAYLOAD + " } }"
    content = PDF + b"% draft only\n"
    data = await multipart(
        client, query, {"input": values}, {"input.attachments.0": ("brouillon.pdf", content, "x")}
    )
    draft = data["saveTicketDraft"]["ticket"]
    assert [a["filename"] for a in draft["attachments"]] == ["brouillon.pdf"]
    await tw.act("member", "mutation($id: ID!) { deleteTicketDraft(id: $id) { deletedId } }", id=draft["id"])
    assert await models.Document.all().count() == 0
    digest = hashlib.sha256(content).hexdigest()
    assert not (tw.app.state.settings.documents_dir / digest[:2] / digest).exists()


async def test_a_comment_is_refused_for_who_may_not_read_the_ticket_like_a_missing_one(
    tw: TicketWorld,
) -> None:
    ticket = await tw.submit()
    for target in (ticket["id"], gid("Ticket", 999999)):
        payload = await tw.act("stranger", COMMENT, id=target, body="Bonjour")
        assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
        assert payload["errors"][0]["message"] == (
            "Cet élément n'existe pas ou vous n'avez pas l'habilitation nécessaire."
        )
