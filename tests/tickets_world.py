"""The world of the ticket tests: tests/world.py (an issuer structure with its roles, a public
recipient structure, support, admin) plus a few more people and structures, and browsers that
speak GraphQL as each of them.

Roles: issuer side ``manager`` (everything), ``member`` (the defaults: Sollicitations émises and
reçues modification), ``consultant`` (consultation only), ``service_member`` (defaults on the
COMPTA service only); recipient side ``recipient`` (everything on the public structure), ``reader``
(consultation there), ``desk`` (defaults on its SCOL service); ``stranger`` (another structure),
``support`` (support agent), ``admin``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from strawberry import relay

from backend import models
from backend.models import AccessLevel, ActivityStatus, IdentifierType
from tests.conftest import GraphQLClient
from tests.world import PASSWORD, World, _grant, build_world

SUBCATEGORIES = {
    "invoice": "FACTURES_EMISES_QUESTION_DESTINATAIRE",  # M -, about an invoice
    "refund": "REMBOURSEMENT_TIC_DEMANDE_REJETEE",  # M -, about a refund request
    "support": "SUPPORT_SAISIE_TRAITEMENT_TICKET",  # platform support, no object
    "habilitations": "ORGANISATION_HABILITATIONS",  # platform support, no object
}

TICKET_FIELDS = """
  id number title description status objectType objectNumber contactEmail contactPhone
  category { code } subcategory { code }
  issuerStructure { name } issuerService { code }
  recipientStructure { name } recipientService { code }
  assignee { firstName } createdBy { firstName }
  activities { id kind body fromStatus toStatus author { firstName } attachments { filename } createdAt }
  attachments { filename size contentType downloadUrl }
  createdAt submittedAt updatedAt closedAt viewerActions
"""
PAYLOAD = "ticket { " + TICKET_FIELDS + " } errors { code field message }"

SAVE_DRAFT = (
    "mutation($id: ID, $input: TicketInput!) { saveTicketDraft(id: $id, input: $input) { " + PAYLOAD + " } }"
)
SUBMIT = "mutation($id: ID, $input: TicketInput) { submitTicket(id: $id, input: $input) { " + PAYLOAD + " } }"
DELETE_DRAFT = "mutation($id: ID!) { deleteTicketDraft(id: $id) { deletedId errors { code field message } } }"
CLOSE = "mutation($id: ID!) { closeTicket(id: $id) { " + PAYLOAD + " } }"
ACCEPT = "mutation($id: ID!) { acceptTicketSolution(id: $id) { " + PAYLOAD + " } }"
REOPEN = "mutation($id: ID!, $reason: String!) { reopenTicket(id: $id, reason: $reason) { " + PAYLOAD + " } }"
PROVIDE = (
    "mutation($id: ID!, $body: String!) { provideTicketInformation(id: $id, body: $body) { "
    + PAYLOAD
    + " } }"
)
REQUEST_INFO = (
    "mutation($id: ID!, $body: String!) { requestTicketInformation(id: $id, body: $body) { "
    + PAYLOAD
    + " } }"
)
RESOLVE = (
    "mutation($id: ID!, $solution: String!) { resolveTicket(id: $id, solution: $solution) { "
    + PAYLOAD
    + " } }"
)
ASSIGN = "mutation($id: ID!, $to: ID) { assignTicket(id: $id, assigneeId: $to) { " + PAYLOAD + " } }"
TRANSFER = (
    "mutation($id: ID!, $reason: String!) { transferTicketToSupport(id: $id, reason: $reason) { "
    + PAYLOAD
    + " } }"
)
COMMENT = "mutation($id: ID!, $body: String!) { commentTicket(id: $id, body: $body) { " + PAYLOAD + " } }"
TICKET = "query($id: ID, $number: String) { ticket(id: $id, number: $number) { " + TICKET_FIELDS + " } }"

LIST_FIELDS = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id number title status } }"
TICKETS = (
    "query($tab: TicketTab!, $filter: TicketFilter, $order: TicketOrder, $first: Int, $after: String) {"
    " tickets(tab: $tab, filter: $filter, orderBy: $order, first: $first, after: $after) { "
    + LIST_FIELDS
    + " } }"
)
RECEIVED = (
    "query($filter: TicketFilter, $order: TicketOrder, $first: Int, $after: String) {"
    " receivedTickets(filter: $filter, orderBy: $order, first: $first, after: $after) { "
    + LIST_FIELDS
    + " } }"
)


def gid(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


@dataclass
class TicketWorld:
    base: World
    app: Any
    recipient_service: models.Service
    inactive: models.Structure
    subcategories: dict[str, models.TicketSubcategory] = field(default_factory=dict)
    _clients: dict[str, GraphQLClient] = field(default_factory=dict)
    _http: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def issuer(self) -> models.Structure:
        return self.base.structure

    @property
    def recipient(self) -> models.Structure:
        assert self.base.recipient is not None
        return self.base.recipient

    def user(self, role: str) -> models.User:
        return self.base.users[role]

    async def as_(self, role: str) -> GraphQLClient:
        """A browser logged in as ``role`` (one per role, kept for the test)."""
        if role not in self._clients:
            http = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.app), base_url="http://testserver"
            )
            self._http.append(http)
            client = GraphQLClient(http)
            if role != "anonymous":
                body = await client.post(
                    "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { errors { code } } }",
                    {"e": self.base.email(role), "p": PASSWORD},
                )
                assert body["data"]["logIn"]["errors"] == [], body
                client.email = self.base.email(role)
            self._clients[role] = client
        return self._clients[role]

    async def close(self) -> None:
        for http in self._http:
            await http.aclose()

    def input(self, kind: str = "invoice", **changes: Any) -> dict[str, Any]:
        """A complete TicketInput for a sub-category of :data:`SUBCATEGORIES`."""
        sub = self.subcategories[kind]
        values: dict[str, Any] = {
            "categoryId": gid("TicketCategory", sub.category_id),
            "subcategoryId": gid("TicketSubcategory", sub.id),
            "issuerStructureId": gid("Structure", self.issuer.id),
            "title": "Facture FAC-2026-042 impayée",
            "description": "Bonjour, je n'ai toujours pas été payé pour cette facture.",
        }
        if sub.is_business:
            values["recipientStructureId"] = gid("Structure", self.recipient.id)
        if sub.accepted_object_types:
            values["objectType"] = sub.accepted_object_types[0].value
            values["objectNumber"] = "FAC-2026-042"
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}

    async def submit(self, role: str = "member", kind: str = "invoice", **changes: Any) -> dict[str, Any]:
        """Submit a new ticket as ``role``; the payload's ticket."""
        client = await self.as_(role)
        data = await client.query(SUBMIT, {"input": self.input(kind, **changes)})
        assert data["submitTicket"]["errors"] == [], data
        return data["submitTicket"]["ticket"]

    async def act(self, role: str, mutation: str, **variables: Any) -> dict[str, Any]:
        """Run a ticket mutation as ``role``: the payload (ticket and errors)."""
        client = await self.as_(role)
        data = await client.query(mutation, variables)
        return next(iter(data.values()))


async def build_ticket_world(app: Any) -> TicketWorld:
    base = await build_world()
    apps = [a.code for a in await models.Application.all()]
    everything = dict.fromkeys(apps, AccessLevel.MODIFICATION)
    defaults = {**everything, "ORGANISATION": AccessLevel.CONSULTATION}
    consultation = dict.fromkeys(apps, AccessLevel.CONSULTATION)
    password_hash = base.users["manager"].password_hash
    for role in ("reader", "desk"):
        base.users[role] = await models.User.create(
            email=f"{role}@monde.test",
            password_hash=password_hash,
            first_name=role.capitalize(),
            last_name="Monde",
        )
    assert base.recipient is not None
    recipient_service = await models.Service.create(structure=base.recipient, code="SCOL", name="Scolarité")
    await _grant(base.users["reader"], base.recipient, None, consultation)
    await _grant(base.users["desk"], base.recipient, recipient_service, defaults)
    inactive = await models.Structure.create(
        identifier_type=IdentifierType.HORS_UE,
        identifier="ANCIENNE-1",
        name="Ancienne Entreprise",
        status=ActivityStatus.INACTIVE,
        address_line1="4 rue Fermée",
        postal_code="75002",
        city="Paris",
    )
    await _grant(base.users["manager"], inactive, None, everything)
    subcategories = {
        kind: await models.TicketSubcategory.get(code=code) for kind, code in SUBCATEGORIES.items()
    }
    return TicketWorld(
        base=base,
        app=app,
        recipient_service=recipient_service,
        inactive=inactive,
        subcategories=subcategories,
    )


async def counts() -> dict[str, int]:
    """Rows that a refused action must leave unchanged."""
    return {
        "tickets": await models.Ticket.all().count(),
        "activities": await models.TicketActivity.all().count(),
        "documents": await models.Document.all().count(),
        "audit": await models.AuditEvent.filter(target_type="Ticket").count(),
        "numbers": sum(await models.Sequence.filter(name="ticket").values_list("value", flat=True)),
    }
