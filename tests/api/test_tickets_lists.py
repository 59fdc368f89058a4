"""« Tickets émis » (the four tabs) and « Tickets reçus »: scope, filters, sort, pages, keyword search
through the trigram indexes, statement counts, and the CSV / XLSX exports of a whole filtered tab."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest

from backend import models
from backend.auth.viewer import Viewer
from backend.models import AccessLevel
from backend.services import tickets
from backend.services.ticket_search import search_tickets
from tests.query_plan import query_plan
from tests.tickets_world import (
    ACCEPT,
    RECEIVED,
    REQUEST_INFO,
    RESOLVE,
    SAVE_DRAFT,
    TICKETS,
    TicketWorld,
    build_ticket_world,
    gid,
)
from tests.world import _grant


@pytest.fixture
async def tw(db, app) -> AsyncIterator[TicketWorld]:
    world = await build_ticket_world(app)
    yield world
    await world.close()


def data_for(tw: TicketWorld, kind: str = "invoice", **changes: Any) -> tickets.TicketData:
    sub = tw.subcategories[kind]
    values: dict[str, Any] = {
        "category_id": sub.category_id,
        "subcategory_id": sub.id,
        "issuer_structure_id": tw.issuer.id,
        "title": "Question",
        "description": "Bonjour.",
    }
    if sub.is_business:
        values["recipient_structure_id"] = tw.recipient.id
    if sub.accepted_object_types:
        values["object_type"] = sub.accepted_object_types[0]
        values["object_number"] = "OBJ-1"
    values.update(changes)
    return tickets.TicketData(**values)


async def submit(
    tw: TicketWorld, role: str = "member", kind: str = "invoice", **changes: Any
) -> models.Ticket:
    """A ticket submitted through the service (faster than HTTP for lists of many)."""
    return await tickets.submit_ticket(Viewer(user=tw.user(role)), None, data_for(tw, kind, **changes))


async def listed(tw: TicketWorld, role: str, tab: str | None = None, **variables: Any) -> dict[str, Any]:
    client = await tw.as_(role)
    if tab is None:
        return (await client.query(RECEIVED, variables))["receivedTickets"]
    return (await client.query(TICKETS, {"tab": tab, **variables}))["tickets"]


def numbers(connection: dict[str, Any]) -> list[str | None]:
    return [edge["node"]["number"] for edge in connection["edges"]]


async def statuses_world(tw: TicketWorld) -> dict[str, str]:
    """One ticket per status (numbers 1 to 4) and a draft; status -> number."""
    opened = await submit(tw, title="Ouvert")
    awaiting = await submit(tw, title="En attente")
    resolved = await submit(tw, title="Résolu")
    closed = await submit(tw, title="Fermé")
    recipient = Viewer(user=tw.user("recipient"))
    await tickets.request_ticket_information(recipient, awaiting.id, "RIB ?")
    await tickets.resolve_ticket(recipient, resolved.id, "Payé.")
    await tickets.resolve_ticket(recipient, closed.id, "Payé.")
    await tickets.accept_ticket_solution(Viewer(user=tw.user("member")), closed.id)
    await tickets.save_ticket_draft(Viewer(user=tw.user("member")), None, data_for(tw, title="Brouillon"))
    return {
        "OPEN": opened.number,
        "AWAITING_INFORMATION": awaiting.number,
        "RESOLVED": resolved.number,
        "CLOSED": closed.number,
    }


# ------------------------------------------------------------------------------ tabs and scope


async def test_each_tab_holds_its_statuses_newest_first(tw: TicketWorld) -> None:
    n = await statuses_world(tw)
    assert numbers(await listed(tw, "manager", "ACTION_REQUIRED")) == [
        n["RESOLVED"],
        n["AWAITING_INFORMATION"],
    ]
    assert numbers(await listed(tw, "manager", "IN_PROGRESS")) == [
        n["RESOLVED"],
        n["AWAITING_INFORMATION"],
        n["OPEN"],
    ]
    assert numbers(await listed(tw, "manager", "CLOSED")) == [n["CLOSED"]]
    # Drafts: the viewer's own only.
    assert numbers(await listed(tw, "manager", "DRAFTS")) == []
    assert numbers(await listed(tw, "member", "DRAFTS")) == [None]
    # A status filter narrows the tab; a status outside the tab gives nothing.
    narrowed = await listed(tw, "manager", "IN_PROGRESS", filter={"status": "OPEN"})
    assert numbers(narrowed) == [n["OPEN"]]
    assert (await listed(tw, "manager", "CLOSED", filter={"status": "OPEN"}))["totalCount"] == 0


async def test_received_tickets_never_show_drafts(tw: TicketWorld) -> None:
    n = await statuses_world(tw)
    received = await listed(tw, "recipient")
    assert sorted(numbers(received)) == sorted(n.values())
    assert (await listed(tw, "recipient", filter={"status": "DRAFT"}))["totalCount"] == 0


async def test_a_support_agent_who_also_receives_for_a_structure_pages_both_as_one_list(
    tw: TicketWorld, count_queries: Any
) -> None:
    # Their structure's tickets and the platform support's are read side by side, each in date
    # order, and merged: the pages must be those of one list, in either direction.
    await _grant(tw.user("support"), tw.recipient, None, {"SOLLICITATIONS_RECUES": AccessLevel.CONSULTATION})
    made = []
    for i in range(5):
        made.append(await submit(tw, "member", "invoice", title=f"Facture {i}"))
        made.append(await submit(tw, "member", "support", title=f"Support {i}"))
        made.append(await submit(tw, "member", "support", title=f"Support bis {i}"))
    newest_first = list(
        await models.Ticket.filter(id__in=[t.id for t in made])
        .order_by("-created_at", "-id")
        .values_list("number", flat=True)
    )
    await tw.as_("support")  # signed in before counting
    seen, after, statements = [], None, set()
    while True:
        with count_queries() as counter:
            page = await listed(tw, "support", first=4, after=after)
        statements.add(counter.count)
        assert page["totalCount"] == len(made)
        seen += numbers(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == newest_first
    assert len(statements) == 1, statements  # the same for each page, the last one included
    oldest_first = await listed(tw, "support", first=20, order={"field": "CREATED_AT", "direction": "ASC"})
    assert numbers(oldest_first) == list(reversed(newest_first))
    by_title = await listed(tw, "support", first=20, order={"field": "TITLE", "direction": "ASC"})
    assert numbers(by_title) == [t.number for t in sorted(made, key=lambda t: (t.title, t.id))]


async def test_who_sees_which_issued_tickets(tw: TicketWorld) -> None:
    at_structure = await submit(tw, "member", "support", title="Structure")
    from_service = await submit(
        tw, "service_member", "support", title="Service", issuer_service_id=tw.base.service.id
    )
    both = {at_structure.number, from_service.number}
    for role, expected in (
        ("manager", both),
        ("member", both),
        ("consultant", both),  # consultation is enough to follow
        ("service_member", {from_service.number}),  # a service-level profile covers that service only
        ("stranger", set()),
        ("recipient", set()),
        ("support", set()),
    ):
        assert set(numbers(await listed(tw, role, "IN_PROGRESS"))) == expected, role


async def test_who_receives_which_tickets(tw: TicketWorld) -> None:
    business = await submit(tw, title="Métier")
    to_service = await submit(tw, title="Service", recipient_service_id=tw.recipient_service.id)
    support = await submit(tw, "member", "support", title="Support")
    for role, expected in (
        ("recipient", {business.number, to_service.number}),
        ("reader", {business.number, to_service.number}),
        ("desk", {to_service.number}),  # Sollicitations reçues on the SCOL service only
        ("support", {support.number}),
        # Administrators work the support queue; other structures' queues are theirs to open by id.
        ("admin", {support.number}),
        ("member", set()),
        ("stranger", set()),
    ):
        assert set(numbers(await listed(tw, role))) == expected, role
    # filter.structureId is the recipient here.
    mine = await listed(tw, "recipient", filter={"structureId": gid("Structure", tw.recipient.id)})
    assert set(numbers(mine)) == {business.number, to_service.number}
    issuer = await listed(tw, "recipient", filter={"structureId": gid("Structure", tw.issuer.id)})
    assert numbers(issuer) == []


# ------------------------------------------------------------------------------ filters, sort, pages


async def test_filters_by_category_sub_category_structure_and_dates(tw: TicketWorld) -> None:
    invoice = await submit(tw, "member", "invoice")
    support = await submit(tw, "member", "support")
    habilitations = await submit(tw, "member", "habilitations")
    other_issuer = await submit(tw, "stranger", "support", issuer_structure_id=tw.base.other.id)
    await models.Ticket.filter(id=invoice.id).update(created_at=datetime(2026, 1, 10, 9, tzinfo=UTC))
    await models.Ticket.filter(id=support.id).update(created_at=datetime(2026, 2, 10, 9, tzinfo=UTC))

    async def found(role: str = "admin", **filter_: Any) -> set[str | None]:
        # The admin holds no explicit profile: give the manager's view instead.
        return set(numbers(await listed(tw, role, "IN_PROGRESS", filter=filter_)))

    sub = tw.subcategories
    assert await found("manager", categoryId=gid("TicketCategory", sub["support"].category_id)) == {
        support.number
    }
    assert await found("manager", subcategoryId=gid("TicketSubcategory", sub["habilitations"].id)) == {
        habilitations.number
    }
    assert await found("manager", structureId=gid("Structure", tw.issuer.id)) == {
        invoice.number,
        support.number,
        habilitations.number,
    }
    assert await found("stranger", structureId=gid("Structure", tw.base.other.id)) == {other_issuer.number}
    assert await found(
        "manager", createdFrom="2026-01-01T00:00:00+00:00", createdTo="2026-01-31T23:59:59+00:00"
    ) == {invoice.number}
    assert await found(
        "manager", createdFrom="2026-02-01T00:00:00+01:00", createdTo="2026-02-28T00:00:00Z"
    ) == {support.number}


@pytest.mark.parametrize(
    ("field", "key"),
    [
        ("NUMBER", lambda t: t["number"]),
        ("TITLE", lambda t: t["title"]),
        ("STATUS", lambda t: t["status"]),
    ],
)
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_lists_sort_by_column(tw: TicketWorld, field: str, key: Any, direction: str) -> None:
    for title in ("Bravo", "Alpha", "Charlie"):
        await submit(tw, title=title)
    closed = await submit(tw, title="Delta")
    await tickets.close_ticket(Viewer(user=tw.user("member")), closed.id)
    recipient = Viewer(user=tw.user("recipient"))
    resolved = await models.Ticket.get(title="Alpha")
    await tickets.resolve_ticket(recipient, resolved.id, "Fait.")
    rows = (await listed(tw, "recipient", order={"field": field, "direction": direction}))["edges"]
    values = [key(edge["node"]) for edge in rows]
    assert values == sorted(values, reverse=direction == "DESC")
    assert len(values) == 4


async def test_lists_sort_by_category_and_sub_category(tw: TicketWorld) -> None:
    await submit(tw, "member", "support")  # Support / Saisie / Traitement d'un ticket
    await submit(tw, "member", "habilitations")  # Organisation / Gestion des habilitations
    await submit(tw, "member", "invoice")  # Factures émises / M - Question…
    by_category = await (await tw.as_("member")).query(
        "query { tickets(tab: IN_PROGRESS, orderBy: {field: CATEGORY, direction: ASC}) "
        "{ edges { node { category { name } } } } }"
    )
    names = [e["node"]["category"]["name"] for e in by_category["tickets"]["edges"]]
    assert names == ["Factures émises", "Organisation", "Support"]
    by_sub = await (await tw.as_("member")).query(
        "query { tickets(tab: IN_PROGRESS, orderBy: {field: SUBCATEGORY, direction: DESC}) "
        "{ edges { node { subcategory { name } } } } }"
    )
    names = [e["node"]["subcategory"]["name"] for e in by_sub["tickets"]["edges"]]
    assert names == sorted(names, reverse=True)


async def test_ten_a_page_by_default_then_the_next_pages(tw: TicketWorld) -> None:
    for i in range(23):
        await submit(tw, title=f"Ticket {i:02d}")
    first = await listed(tw, "member", "IN_PROGRESS")
    assert first["totalCount"] == 23 and len(first["edges"]) == 10 and first["pageInfo"]["hasNextPage"]
    assert numbers(first)[0] == "CPROCS0000023"
    second = await listed(tw, "member", "IN_PROGRESS", after=first["pageInfo"]["endCursor"])
    third = await listed(tw, "member", "IN_PROGRESS", after=second["pageInfo"]["endCursor"])
    everything = numbers(first) + numbers(second) + numbers(third)
    assert everything == [f"CPROCS{n:07d}" for n in range(23, 0, -1)]
    assert not third["pageInfo"]["hasNextPage"]
    body = await (await tw.as_("member")).post(TICKETS, {"tab": "IN_PROGRESS", "first": 101})
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"


# ------------------------------------------------------------------------------ keyword search


async def search_world(tw: TicketWorld) -> list[models.Ticket]:
    return [
        await submit(tw, title="Facture FAC-2026-042 impayée", description="Je n'ai pas été payé."),
        await submit(tw, title="Relance", description="Le RIB transmis est manquant dans votre dossier."),
        await submit(tw, title="Mémoire de frais", description="Révision du montant demandée."),
        await submit(
            tw, "stranger", "support", issuer_structure_id=tw.base.other.id, title="Facture ailleurs"
        ),
    ]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("0000002", [2]),  # a partial ticket number
        ("cprocs000000", [1, 2, 3]),  # a longer part, any case
        ("impay", [1]),  # part of a title word
        ("FACTURE", [1]),  # any case; the 4th is not the viewer's
        ("manquant", [2]),  # a description word
        ("rib dossier", [2]),  # every word, in any field
        ("facture manquant", []),
        ("mémoire", [3]),
        ("CP", [1, 2, 3]),  # short: a prefix of the number
        ("42", []),  # short: no number starts with it
        ("la facture", [1]),  # short words are dropped when longer ones are there
        ("zzz", []),
        ("100%", []),
        ("l'IBAN", []),
    ],
)
async def test_keyword_search_over_number_title_and_description(
    tw: TicketWorld, search: str, expected: list[int]
) -> None:
    await search_world(tw)
    found = await listed(
        tw, "member", "IN_PROGRESS", filter={"search": search}, order={"field": "NUMBER", "direction": "ASC"}
    )
    assert numbers(found) == [f"CPROCS{n:07d}" for n in expected]
    assert found["totalCount"] == len(expected)


async def test_search_combines_with_the_tab_the_received_list_and_the_drafts(tw: TicketWorld) -> None:
    made = await search_world(tw)
    await tickets.resolve_ticket(Viewer(user=tw.user("recipient")), made[0].id, "Payée.")
    await tickets.save_ticket_draft(
        Viewer(user=tw.user("member")), None, data_for(tw, title="Brouillon de facture")
    )
    assert numbers(await listed(tw, "member", "ACTION_REQUIRED", filter={"search": "facture"})) == [
        made[0].number
    ]
    assert numbers(await listed(tw, "member", "DRAFTS", filter={"search": "brouillon"})) == [None]
    assert numbers(await listed(tw, "recipient", filter={"search": "RIB"})) == [made[1].number]
    assert numbers(await listed(tw, "support", filter={"search": "ailleurs"})) == [made[3].number]


async def test_an_edited_draft_and_a_deleted_one_follow_in_the_search_index(tw: TicketWorld) -> None:
    member = Viewer(user=tw.user("member"))
    draft = await tickets.save_ticket_draft(member, None, data_for(tw, title="Ancien titre"))
    await tickets.save_ticket_draft(member, draft.id, data_for(tw, title="Nouveau sujet"))
    assert numbers(await listed(tw, "member", "DRAFTS", filter={"search": "ancien"})) == []
    assert numbers(await listed(tw, "member", "DRAFTS", filter={"search": "nouveau"})) == [None]
    submitted = await tickets.submit_ticket(member, draft.id, None)
    assert numbers(await listed(tw, "member", "IN_PROGRESS", filter={"search": submitted.number[-5:]})) == [
        submitted.number
    ]
    other = await tickets.save_ticket_draft(member, None, data_for(tw, title="Effacé bientôt"))
    await tickets.delete_ticket_draft(member, other.id)
    assert await search_tickets(models.Ticket.all(), "bientôt").count() == 0


async def test_the_search_reads_the_trigram_index(db) -> None:
    query = search_tickets(models.Ticket.all(), "facture impayée")
    plan = await query_plan(db, query.sql(params_inline=True))
    if db.is_sqlite:
        assert "VIRTUAL TABLE INDEX" in plan and "ticket_search" in plan, plan
    else:
        assert "ticket_search_trgm" in plan, plan


# ------------------------------------------------------------------------------ statements per request

LIST_WITH_RELATIONS = """
query($first: Int) { tickets(tab: IN_PROGRESS, first: $first) { totalCount edges { node {
  number title status createdAt
  category { name } subcategory { name isBusiness }
  issuerStructure { name } issuerService { code } recipientStructure { name }
  createdBy { firstName } assignee { firstName } viewerActions
} } } }
"""


async def test_statements_per_list_request_do_not_grow_with_the_page(tw: TicketWorld, count_queries) -> None:
    for i in range(30):
        await submit(tw, title=f"Ticket {i}", recipient_service_id=tw.recipient_service.id if i % 2 else None)
        if i % 3 == 0:
            await tickets.assign_ticket(
                Viewer(user=tw.user("recipient")), (await models.Ticket.get(title=f"Ticket {i}")).id, None
            )
    client = await tw.as_("member")
    await client.query(LIST_WITH_RELATIONS, {"first": 1})  # the session is read once warm
    statements = []
    for size in (3, 30):
        with count_queries() as counter:
            data = await client.query(LIST_WITH_RELATIONS, {"first": size})
        assert len(data["tickets"]["edges"]) == size
        statements.append(counter.count)
    assert statements[0] == statements[1], statements
    assert statements[1] <= 12, statements


# ------------------------------------------------------------------------------ exports


async def test_the_csv_export_holds_every_row_of_the_filtered_tab(tw: TicketWorld) -> None:
    for i in range(12):
        await submit(tw, title=f"=Facture {i:02d}" if i == 0 else f"Facture {i:02d}")
    await submit(tw, title="Autre sujet")
    await models.Ticket.all().update(created_at=datetime(2026, 3, 1, 8, 30, tzinfo=UTC))
    client = await tw.as_("member")
    response = await client.http.get(
        "/exports/tickets-emis.csv",
        params={"tab": "IN_PROGRESS", "search": "facture", "orderBy": "NUMBER", "direction": "ASC"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "tickets-emis" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Numéro", "Description brève", "Créé le", "Catégorie", "Sous-catégorie", "Statut"]
    assert len(rows) == 13  # the header and the 12 matching tickets, beyond the first page
    first = rows[1]
    assert first[0] == "CPROCS0000001"
    assert first[1] == "'=Facture 00"  # formula injection neutralised
    assert first[2] == "01/03/2026 09:30"  # Europe/Paris
    assert first[3:6] == ["Factures émises", "M - Question pour le destinataire de ma facture", "Ouvert"]
    assert first[6] == "Entreprise du Monde (73282932000074)"
    assert first[8] == "Collège Simone Veil (19290086800022)"
    assert [row[0] for row in rows[1:]] == [f"CPROCS{n:07d}" for n in range(1, 13)]


async def test_the_xlsx_export_and_the_received_export(tw: TicketWorld) -> None:
    await submit(tw, title="Premier")
    await submit(tw, "member", "support", title="Au support")
    await submit(tw, title="À la scolarité", recipient_service_id=tw.recipient_service.id)
    client = await tw.as_("recipient")
    response = await client.http.get("/exports/tickets-recus.xlsx", params={"orderBy": "NUMBER"})
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Numéro" and rows[0][9] == "Service destinataire"
    assert [(row[0], row[1], row[9]) for row in rows[1:]] == [
        ("CPROCS0000003", "À la scolarité", "Scolarité"),
        ("CPROCS0000001", "Premier", None),  # an empty cell
    ]
    assert rows[1][6] == "Entreprise du Monde (73282932000074)" and rows[1][7] is None
    support = await (await tw.as_("support")).http.get("/exports/tickets-recus.csv")
    lines = support.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "Au support" in lines[1] and "Support de la plateforme" in lines[1]


async def test_exports_check_the_viewer_and_the_parameters(tw: TicketWorld) -> None:
    anonymous = await tw.as_("anonymous")
    assert (await anonymous.http.get("/exports/tickets-emis.csv?tab=CLOSED")).status_code == 401
    member = await tw.as_("member")
    missing = await member.http.get("/exports/tickets-emis.csv")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["code"] == "REQUIRED"
    wrong = await member.http.get("/exports/tickets-emis.csv?tab=TOUS")
    assert wrong.status_code == 400 and "tab" in wrong.json()["errors"][0]["message"]
    bad_id = await member.http.get("/exports/tickets-emis.csv?tab=CLOSED&categoryId=xyz")
    assert bad_id.status_code == 400 and bad_id.json()["errors"][0]["code"] == "VALIDATION"
    assert (await member.http.get("/exports/tickets-emis.pdf?tab=CLOSED")).status_code == 404
    # A stranger's export is empty, not an error.
    await submit(tw)
    stranger = await tw.as_("stranger")
    empty = await stranger.http.get("/exports/tickets-emis.csv?tab=IN_PROGRESS")
    assert len(empty.content.decode("utf-8-sig").splitlines()) == 1


async def test_drafts_saved_through_the_api_are_listed_for_their_author(tw: TicketWorld) -> None:
    member = await tw.as_("member")
    await member.query(SAVE_DRAFT, {"input": tw.input("invoice", title="Mon brouillon")})
    drafts = await listed(tw, "member", "DRAFTS")
    assert drafts["totalCount"] == 1 and drafts["edges"][0]["node"]["title"] == "Mon brouillon"
    # Unused here but imported for the flows above.
    assert ACCEPT and REQUEST_INFO and RESOLVE
