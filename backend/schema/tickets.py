"""Support tickets: the Ticket type, the issued and received lists, the life-cycle mutations (thin: the
rules live in backend.services.tickets)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from backend import models
from backend.auth import requirements as needs
from backend.schema.context import Info
from backend.schema.documents import DocumentType
from backend.schema.enums import SortDirection, TicketObjectType, describe_values
from backend.schema.errors import UserError
from backend.schema.loaders import Loaders
from backend.schema.mutations import mutation
from backend.schema.node import NOT_VISIBLE, decode_id, register_node, require_viewer
from backend.schema.pagination import Connection, paginate
from backend.schema.payloads import ERRORS_DESCRIPTION, DeletePayload, attempt
from backend.schema.permissions import Public, guarded
from backend.schema.reference import TicketCategoryType, TicketSubcategoryType
from backend.schema.structures import ServiceType, StructureType
from backend.services import subscriptions, tickets
from backend.services.errors import DomainError, Forbidden, Invalid, Required
from backend.services.paging import Sides

if TYPE_CHECKING:
    from backend.schema.accounts import UserType

UserRef = Annotated["UserType", strawberry.lazy("backend.schema.accounts")]
Arg = strawberry.argument

TICKET_READER = Public(
    "whoever may read the ticket: Sollicitations émises consultation on the issuer structure (or service), "
    "Sollicitations reçues consultation on the recipient structure (or service), support agents for support "
    "tickets; a draft: its author"
)
PAGE_SIZE = 10

TicketStatus = strawberry.enum(
    models.TicketStatus,
    name="TicketStatus",
    description="DRAFT (Brouillon), OPEN (Ouvert), AWAITING_INFORMATION (En attente d'informations), RESOLVED "
    "(Résolu), CLOSED (Fermé).",
)
TicketActivityKind = strawberry.enum(
    models.TicketActivityKind,
    name="TicketActivityKind",
    description="What an activity of a ticket's history records.",
)
TicketTab = strawberry.enum(
    tickets.TicketTab,
    name="TicketTab",
    description="Tabs of « Tickets émis »: ACTION_REQUIRED (Actions requises: AWAITING_INFORMATION or "
    "RESOLVED), IN_PROGRESS (En cours: OPEN, AWAITING_INFORMATION or RESOLVED), CLOSED (Clôturés), DRAFTS "
    "(Brouillons: the viewer's own drafts).",
)
TicketSortField = strawberry.enum(
    tickets.SortField,
    name="TicketSortField",
    description="Columns a ticket list can be sorted by (then by id, in the same direction).",
)
TicketAction = strawberry.enum(
    tickets.TicketAction,
    name="TicketAction",
    description="An action the viewer may take on a ticket now, given its status and the viewer's side (the "
    "mutation of the same name checks it again).",
)
describe_values(
    TicketStatus,
    DRAFT="Brouillon: saved, not submitted; visible to its author only.",
    OPEN="Ouvert: submitted, the recipient is working on it.",
    AWAITING_INFORMATION="En attente d'informations: the recipient asked the issuer for information.",
    RESOLVED="Résolu: the recipient proposed a solution; the issuer accepts it or sends it back.",
    CLOSED="Fermé: finished.",
)
describe_values(
    TicketActivityKind,
    CREATED="The ticket was submitted.",
    COMMENT="A comment of either side.",
    INFORMATION_REQUESTED="The recipient asked for information.",
    INFORMATION_PROVIDED="The issuer provided information.",
    RESOLVED="The recipient resolved the ticket (with the solution).",
    REOPENED="The issuer sent the solution back (with the reason).",
    CLOSED="The issuer closed the ticket.",
    SOLUTION_ACCEPTED="The issuer accepted the solution.",
    ATTACHMENT_ADDED="A file was attached.",
    ASSIGNED="The recipient assigned the ticket to someone.",
    TRANSFERRED="The recipient transferred the ticket to support.",
)
describe_values(
    TicketTab,
    ACTION_REQUIRED="Actions requises: AWAITING_INFORMATION or RESOLVED.",
    IN_PROGRESS="En cours: OPEN, AWAITING_INFORMATION or RESOLVED.",
    CLOSED="Clôturés: CLOSED.",
    DRAFTS="Brouillons: the viewer's own drafts.",
)
describe_values(
    TicketSortField,
    NUMBER="The ticket number (CPROCS…).",
    TITLE="The title.",
    CREATED_AT="When it was created.",
    CATEGORY="The category's name.",
    SUBCATEGORY="The sub-category's name.",
    STATUS="The status.",
)
describe_values(
    TicketAction,
    EDIT_DRAFT="saveTicketDraft (the author, on a draft).",
    SUBMIT="submitTicket (the author, on a draft).",
    DELETE_DRAFT="deleteTicketDraft (the author, on a draft).",
    PROVIDE_INFORMATION="provideTicketInformation (issuer, AWAITING_INFORMATION).",
    CLOSE="closeTicket (issuer, OPEN, AWAITING_INFORMATION or RESOLVED).",
    ACCEPT_SOLUTION="acceptTicketSolution (issuer, RESOLVED).",
    REOPEN="reopenTicket (issuer, RESOLVED).",
    ASSIGN="assignTicket (recipient, OPEN).",
    REQUEST_INFORMATION="requestTicketInformation (recipient, OPEN).",
    RESOLVE="resolveTicket (recipient, OPEN).",
    TRANSFER_TO_SUPPORT="transferTicketToSupport (recipient, OPEN).",
    COMMENT="commentTicket (either side, any status but DRAFT and CLOSED).",
)


# ---------------------------------------------------------------------------------------- types


def _activity_id(pk: int) -> strawberry.ID:
    return strawberry.ID(relay.to_base64("TicketActivity", pk))


@strawberry.type(
    name="TicketActivity", description="One step of a ticket's history, with its author and time."
)
class TicketActivityType:
    row: strawberry.Private[Any]

    @strawberry.field(description="Opaque identifier.")
    def id(self) -> strawberry.ID:
        return _activity_id(self.row.id)

    @strawberry.field(description="What happened.")
    def kind(self) -> TicketActivityKind:
        return self.row.kind

    @strawberry.field(description="Who did it (null when the account no longer exists).")
    async def author(self, info: Info) -> UserRef | None:
        from backend.schema.accounts import UserType

        if self.row.author_id is None:
            return None
        user = await info.context.loaders.by_id(models.User).load(self.row.author_id)
        return UserType.from_row(user) if user else None

    @strawberry.field(description="The text: comment, request, answer, solution, reason, assignee's name.")
    def body(self) -> str | None:
        return self.row.body

    @strawberry.field(description="Status before, for activities that changed it.")
    def from_status(self) -> TicketStatus | None:
        return self.row.from_status

    @strawberry.field(description="Status after, for activities that changed it.")
    def to_status(self) -> TicketStatus | None:
        return self.row.to_status

    @strawberry.field(description="Files joined to this activity.")
    async def attachments(self, info: Info) -> list[DocumentType]:
        rows = await info.context.loaders.children(models.Document, "ticket_activity_id").load(self.row.id)
        return [DocumentType.from_row(row) for row in rows if row.deleted_at is None]

    @strawberry.field(description="When it happened.")
    def created_at(self) -> datetime:
        return self.row.created_at


@register_node
@strawberry.type(
    name="Ticket",
    description="A support ticket (sollicitation). Readable by the issuer side (Sollicitations émises "
    "consultation), the recipient side (Sollicitations reçues consultation, support agents for support tickets); "
    "a draft by its author only.",
)
class TicketType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @guarded(TICKET_READER, description="e.g. CPROCS0187587; null for a draft.")
    def number(self) -> str | None:
        return self.row.number

    @guarded(TICKET_READER, description="Title (titre / résumé, « Description brève »).")
    def title(self) -> str:
        return self.row.title

    @guarded(TICKET_READER, description="Long description.")
    def description(self) -> str:
        return self.row.description

    @guarded(TICKET_READER, description="Status.")
    def status(self) -> TicketStatus:
        return self.row.status

    @guarded(TICKET_READER, description="Category.")
    async def category(self, info: Info) -> TicketCategoryType:
        row = await info.context.loaders.by_id(models.TicketCategory).load(self.row.category_id)
        return TicketCategoryType.from_row(row)

    @guarded(TICKET_READER, description="Sub-category.")
    async def subcategory(self, info: Info) -> TicketSubcategoryType:
        row = await info.context.loaders.by_id(models.TicketSubcategory).load(self.row.subcategory_id)
        return TicketSubcategoryType.from_row(row)

    @guarded(
        TICKET_READER, description="Type of the object the ticket is about (sub-categories about an object)."
    )
    def object_type(self) -> TicketObjectType | None:
        return self.row.object_type

    @guarded(TICKET_READER, description="Number of the object the ticket is about.")
    def object_number(self) -> str | None:
        return self.row.object_number

    @guarded(TICKET_READER, description="The issuing structure (its designation is its name).")
    async def issuer_structure(self, info: Info) -> StructureType:
        row = await info.context.loaders.by_id(models.Structure).load(self.row.issuer_structure_id)
        return StructureType.from_row(row)

    @guarded(TICKET_READER, description="The issuing service, if one was chosen.")
    async def issuer_service(self, info: Info) -> ServiceType | None:
        return await _service(info, self.row.issuer_service_id)

    @guarded(
        TICKET_READER, description="Contact email: the issuing structure's, or its author's when it has none."
    )
    def contact_email(self) -> str:
        return self.row.contact_email

    @guarded(TICKET_READER, description="Contact phone.")
    def contact_phone(self) -> str | None:
        return self.row.contact_phone

    @guarded(
        TICKET_READER,
        description="Business recipient (M - sub-categories); null when the platform support handles it.",
    )
    async def recipient_structure(self, info: Info) -> StructureType | None:
        if self.row.recipient_structure_id is None:
            return None
        row = await info.context.loaders.by_id(models.Structure).load(self.row.recipient_structure_id)
        return StructureType.from_row(row) if row else None

    @guarded(TICKET_READER, description="The recipient service, if one was chosen.")
    async def recipient_service(self, info: Info) -> ServiceType | None:
        return await _service(info, self.row.recipient_service_id)

    @guarded(TICKET_READER, description="Who on the recipient side took the ticket.")
    async def assignee(self, info: Info) -> UserRef | None:
        return await _user(info, self.row.assignee_id)

    @guarded(TICKET_READER, description="The ticket's author.")
    async def created_by(self, info: Info) -> UserRef:
        user = await _user(info, self.row.created_by_id)
        assert user is not None
        return user

    @guarded(
        TICKET_READER,
        description="The history, oldest first: creation, comments, requests, answers, statuses.",
    )
    async def activities(self, info: Info) -> list[TicketActivityType]:
        rows = await info.context.loaders.children(
            models.TicketActivity, "ticket_id", order_by=("created_at", "id")
        ).load(self.row.id)
        return [TicketActivityType(row=row) for row in rows]

    @guarded(
        TICKET_READER, description="Every file of the ticket (the draft's and the activities'), oldest first."
    )
    async def attachments(self, info: Info) -> list[DocumentType]:
        rows = await info.context.loaders.children(models.Document, "ticket_id").load(self.row.id)
        return [DocumentType.from_row(row) for row in rows if row.deleted_at is None]

    @guarded(TICKET_READER, description="When it was created (as a draft, or submitted at once).")
    def created_at(self) -> datetime:
        return self.row.created_at

    @guarded(TICKET_READER, description="When it was submitted (and numbered).")
    def submitted_at(self) -> datetime | None:
        return self.row.submitted_at

    @guarded(TICKET_READER, description="When it last changed.")
    def updated_at(self) -> datetime:
        return self.row.updated_at

    @guarded(TICKET_READER, description="When it was closed.")
    def closed_at(self) -> datetime | None:
        return self.row.closed_at

    @guarded(
        TICKET_READER,
        description="What the viewer may do now, given the status and their side (screens show these actions).",
    )
    async def viewer_actions(self, info: Info) -> list[TicketAction]:
        return tickets.viewer_actions(await info.context.grants(), self.row)

    @classmethod
    def from_row(cls, row: Any) -> TicketType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> TicketType | None:
        row = await tickets.readable_ticket(await info.context.grants(), pk)
        return cls.from_row(row) if row else None


async def _service(info: Info, pk: int | None) -> ServiceType | None:
    if pk is None:
        return None
    row = await info.context.loaders.by_id(models.Service).load(pk)
    return ServiceType.from_row(row) if row else None


async def _user(info: Info, pk: int | None) -> Any:
    from backend.schema.accounts import UserType

    if pk is None:
        return None
    row = await info.context.loaders.by_id(models.User).load(pk)
    return UserType.from_row(row) if row else None


# ---------------------------------------------------------------------------------------- inputs


@strawberry.input(description="Search, filters of a ticket list (all optional, combined).")
class TicketFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Keywords over number, title and description: every word of 3 characters or more must "
        "occur (case-insensitive, anywhere in a word, e.g. part of a number); a search made only of shorter "
        "words is a prefix of the number.",
    )
    category_id: strawberry.ID | None = strawberry.field(default=None, description="A category.")
    subcategory_id: strawberry.ID | None = strawberry.field(default=None, description="A sub-category.")
    status: TicketStatus | None = strawberry.field(
        default=None, description="A status; within a tab, it narrows the tab (outside it: nothing)."
    )
    structure_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The issuer structure in `tickets`, the recipient structure in `receivedTickets`.",
    )
    created_from: datetime | None = strawberry.field(default=None, description="Created at or after.")
    created_to: datetime | None = strawberry.field(default=None, description="Created at or before.")

    def to_filters(self) -> tickets.TicketFilters:
        return tickets.TicketFilters(
            search=self.search,
            category_id=_pk(self.category_id, "TicketCategory", ["filter", "categoryId"]),
            subcategory_id=_pk(self.subcategory_id, "TicketSubcategory", ["filter", "subcategoryId"]),
            status=models.TicketStatus(self.status.value) if self.status is not None else None,
            structure_id=_pk(self.structure_id, "Structure", ["filter", "structureId"]),
            created_from=self.created_from,
            created_to=self.created_to,
        )


@strawberry.input(description="Sort order of a ticket list (default: CREATED_AT DESC), then by id.")
class TicketOrder:
    field: TicketSortField = strawberry.field(description="The column.")
    direction: SortDirection = strawberry.field(description="Ascending or descending.")

    def to_sort(self) -> tickets.TicketSort:
        return tickets.TicketSort(
            field=tickets.SortField(self.field.value), descending=self.direction == SortDirection.DESC
        )


@strawberry.input(description="What the issuer fills in. A draft may be incomplete; submitting validates it.")
class TicketInput:
    category_id: strawberry.ID = strawberry.field(description="Category.")
    subcategory_id: strawberry.ID = strawberry.field(description="Sub-category (of that category).")
    issuer_structure_id: strawberry.ID = strawberry.field(
        description="Issuing structure: one where the viewer holds Sollicitations émises modification."
    )
    issuer_service_id: strawberry.ID | None = strawberry.field(default=None, description="Issuing service.")
    recipient_structure_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Business recipient, from the directory (active): mandatory for « M - » sub-categories, "
        "refused for the others.",
    )
    recipient_service_id: strawberry.ID | None = strawberry.field(
        default=None, description="Recipient service."
    )
    object_type: TicketObjectType | None = strawberry.field(
        default=None, description="Type of the object (one the sub-category accepts)."
    )
    object_number: str | None = strawberry.field(
        default=None, description="Number of the object (mandatory when the sub-category is about an object)."
    )
    title: str = strawberry.field(description="Title / résumé (255 characters at most).")
    description: str = strawberry.field(description="Long description.")
    contact_phone: str | None = strawberry.field(default=None, description="Contact phone.")
    attachments: list[Upload] | None = strawberry.field(
        default=None,
        description="Files to add (multipart request): 10 MB each at most, a name of 50 characters at most, an "
        "accepted extension, content matching it.",
    )

    def to_data(self) -> tickets.TicketData:
        errors: list[DomainError] = []

        def pk(value: strawberry.ID | None, type_name: str, name: str) -> Any:
            try:
                return _pk(value, type_name, ["input", name])
            except DomainError as error:
                errors.append(error)
                return 0

        data = tickets.TicketData(
            category_id=pk(self.category_id, "TicketCategory", "categoryId"),
            subcategory_id=pk(self.subcategory_id, "TicketSubcategory", "subcategoryId"),
            issuer_structure_id=pk(self.issuer_structure_id, "Structure", "issuerStructureId"),
            issuer_service_id=pk(self.issuer_service_id, "Service", "issuerServiceId"),
            recipient_structure_id=pk(self.recipient_structure_id, "Structure", "recipientStructureId"),
            recipient_service_id=pk(self.recipient_service_id, "Service", "recipientServiceId"),
            object_type=models.TicketObjectType(self.object_type.value)
            if self.object_type is not None
            else None,
            object_number=self.object_number,
            title=self.title,
            description=self.description,
            contact_phone=self.contact_phone,
            attachments=list(self.attachments or []),
        )
        if errors:
            raise Invalid(errors)
        return data


def _pk(value: strawberry.ID | None, type_name: str, field: list[str]) -> int | None:
    return decode_id(value, type_name, field) if value is not None else None


async def _ticket_page(
    query: Any | Sides, filters: tickets.TicketFilters, first: int | None, after: str | None
) -> Connection[TicketType]:
    """A page of a ticket list; counted beside the ids when a keyword search narrows it."""
    return await paginate(
        query,
        first=first,
        after=after,
        default=PAGE_SIZE,
        to_node=TicketType.from_row,
        count_in_page=filters.searches,
    )


@strawberry.type(description="The answer of a ticket mutation.")
class TicketPayload:
    ticket: TicketType | None = strawberry.field(default=None, description="The ticket after the change.")
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


# ---------------------------------------------------------------------------------------- operations


@strawberry.type
class TicketQuery:
    @strawberry.field(
        description="Tickets issued from the viewer's structures. Tabs: ACTION_REQUIRED = AWAITING_INFORMATION or "
        "RESOLVED; IN_PROGRESS = OPEN, AWAITING_INFORMATION or RESOLVED; CLOSED = CLOSED; DRAFTS = the viewer's own "
        "drafts. A status filter narrows the tab. Default order CREATED_AT DESC, 10 a page."
    )
    async def tickets(
        self,
        info: Info,
        tab: Annotated[TicketTab, Arg(description="The tab.")],
        filter: Annotated[TicketFilter | None, Arg(description="Search and filters.")] = None,
        order_by: Annotated[TicketOrder | None, Arg(description="Sort order.")] = None,
        first: Annotated[int | None, Arg(description="Page size (10 by default, 100 at most).")] = None,
        after: Annotated[str | None, Arg(description="Cursor of the row before the page.")] = None,
    ) -> Connection[TicketType]:
        require_viewer(info)
        filters = filter.to_filters() if filter else tickets.TicketFilters()
        query = tickets.issued_tickets(
            await info.context.grants(),
            tickets.TicketTab(tab.value),
            filters,
            order_by.to_sort() if order_by else tickets.DEFAULT_SORT,
        )
        return await _ticket_page(query, filters, first, after)

    @strawberry.field(
        description="Tickets addressed to the viewer's structures (Sollicitations reçues), or to the platform "
        "support for support agents; never drafts. `filter.structureId` is the recipient here."
    )
    async def received_tickets(
        self,
        info: Info,
        filter: Annotated[TicketFilter | None, Arg(description="Search and filters.")] = None,
        order_by: Annotated[TicketOrder | None, Arg(description="Sort order.")] = None,
        first: Annotated[int | None, Arg(description="Page size (10 by default, 100 at most).")] = None,
        after: Annotated[str | None, Arg(description="Cursor of the row before the page.")] = None,
    ) -> Connection[TicketType]:
        require_viewer(info)
        filters = filter.to_filters() if filter else tickets.TicketFilters()
        query = tickets.received_ticket_pages(
            await info.context.grants(), filters, order_by.to_sort() if order_by else tickets.DEFAULT_SORT
        )
        return await _ticket_page(query, filters, first, after)

    @strawberry.field(description="A ticket by id or by number, if the viewer may read it.")
    async def ticket(
        self,
        info: Info,
        id: Annotated[strawberry.ID | None, Arg(description="Global ID.")] = None,
        number: Annotated[str | None, Arg(description="Number, e.g. CPROCS0187587.")] = None,
    ) -> TicketType | None:
        require_viewer(info)
        grants = await info.context.grants()
        if id is not None:
            row = await tickets.readable_ticket(grants, decode_id(id, "Ticket", ["id"]))
        elif number and number.strip():
            row = await tickets.readable_ticket_by_number(grants, number)
        else:
            raise Required("Donnez l'identifiant ou le numéro du ticket.", field=["id"])
        if row is None:
            raise Forbidden(NOT_VISIBLE)
        return TicketType.from_row(row)


async def _answer(work: Callable[[], Awaitable[models.Ticket]]) -> TicketPayload:
    """Run the service call (decoding the ids inside it, so that a bad id is a payload error too)."""

    async def run() -> models.Ticket:
        return await work()

    row, errors = await attempt(run())
    return TicketPayload(ticket=TicketType.from_row(row) if row is not None else None, errors=errors)


def _ticket_pk(id: strawberry.ID) -> int:
    return decode_id(id, "Ticket", ["id"])


TicketId = Annotated[strawberry.ID, Arg(description="The ticket.")]
Files = Annotated[list[Upload] | None, Arg(description="Files to join (multipart request), document rules.")]


@strawberry.type
class TicketMutation:
    @mutation(
        requires=needs.SAVE_TICKET_DRAFT,
        description="Create a draft (without `id`) or update one (its author only). A draft may be incomplete: "
        "the rules are checked on submission; the issuing structure's right is checked now.",
    )
    async def save_ticket_draft(
        self,
        info: Info,
        input: Annotated[TicketInput, Arg(description="The ticket's content.")],
        id: Annotated[strawberry.ID | None, Arg(description="The draft to update.")] = None,
    ) -> TicketPayload:
        async def work() -> models.Ticket:
            pk = _ticket_pk(id) if id is not None else None
            return await tickets.save_ticket_draft(
                info.context.viewer, pk, input.to_data(), settings=info.context.settings
            )

        return await _answer(work)

    @mutation(
        requires=needs.SUBMIT_TICKET,
        description="Submit: a draft (`id`, with `input` to change it first), or a new ticket (`input` only). "
        "Validated now; the ticket gets the next number CPROCS + 7 digits and is OPEN; the recipient is told.",
    )
    async def submit_ticket(
        self,
        info: Info,
        id: Annotated[strawberry.ID | None, Arg(description="The draft to submit.")] = None,
        input: Annotated[TicketInput | None, Arg(description="The ticket's content.")] = None,
    ) -> TicketPayload:
        async def work() -> models.Ticket:
            pk = _ticket_pk(id) if id is not None else None
            return await tickets.submit_ticket(
                info.context.viewer,
                pk,
                input.to_data() if input is not None else None,
                mailer=info.context.mailer,
                settings=info.context.settings,
            )

        return await _answer(work)

    @mutation(
        requires=needs.DELETE_TICKET_DRAFT, description="Delete a draft (its author only) and its files."
    )
    async def delete_ticket_draft(self, info: Info, id: TicketId) -> DeletePayload:
        async def work() -> int:
            return await tickets.delete_ticket_draft(
                info.context.viewer, _ticket_pk(id), settings=info.context.settings
            )

        deleted, errors = await attempt(work())
        return DeletePayload(deleted_id=strawberry.ID(id) if deleted else None, errors=errors)

    @mutation(
        requires=needs.PROVIDE_TICKET_INFORMATION,
        description="Issuer: send the information requested (AWAITING_INFORMATION → OPEN); the recipient is told.",
    )
    async def provide_ticket_information(
        self,
        info: Info,
        id: TicketId,
        body: Annotated[str, Arg(description="The information.")],
        attachments: Files = None,
    ) -> TicketPayload:
        return await _answer(
            lambda: tickets.provide_ticket_information(
                info.context.viewer,
                _ticket_pk(id),
                body,
                list(attachments or []),
                mailer=info.context.mailer,
                settings=info.context.settings,
            )
        )

    @mutation(
        requires=needs.CLOSE_TICKET,
        description="Issuer: close the ticket (OPEN, AWAITING_INFORMATION or RESOLVED → CLOSED).",
    )
    async def close_ticket(self, info: Info, id: TicketId) -> TicketPayload:
        return await _answer(lambda: tickets.close_ticket(info.context.viewer, _ticket_pk(id)))

    @mutation(
        requires=needs.ACCEPT_TICKET_SOLUTION,
        description="Issuer: accept the solution (RESOLVED → CLOSED).",
    )
    async def accept_ticket_solution(self, info: Info, id: TicketId) -> TicketPayload:
        return await _answer(lambda: tickets.accept_ticket_solution(info.context.viewer, _ticket_pk(id)))

    @mutation(
        requires=needs.REOPEN_TICKET,
        description="Issuer: send the ticket back when not satisfied (RESOLVED → OPEN, reason mandatory); the "
        "recipient is told.",
    )
    async def reopen_ticket(
        self,
        info: Info,
        id: TicketId,
        reason: Annotated[str, Arg(description="Why the solution does not do.")],
    ) -> TicketPayload:
        return await _answer(
            lambda: tickets.reopen_ticket(
                info.context.viewer, _ticket_pk(id), reason, mailer=info.context.mailer
            )
        )

    @mutation(
        requires=needs.ASSIGN_TICKET,
        description="Recipient: take the ticket (without `assigneeId`), or give it to someone who may work it "
        "(OPEN).",
    )
    async def assign_ticket(
        self,
        info: Info,
        id: TicketId,
        assignee_id: Annotated[
            strawberry.ID | None, Arg(description="The user; the viewer when left out.")
        ] = None,
    ) -> TicketPayload:
        async def work() -> models.Ticket:
            assignee = decode_id(assignee_id, "User", ["assigneeId"]) if assignee_id is not None else None
            return await tickets.assign_ticket(info.context.viewer, _ticket_pk(id), assignee)

        return await _answer(work)

    @mutation(
        requires=needs.REQUEST_TICKET_INFORMATION,
        description="Recipient: ask the issuer for information (OPEN → AWAITING_INFORMATION); the issuer is told.",
    )
    async def request_ticket_information(
        self, info: Info, id: TicketId, body: Annotated[str, Arg(description="What is needed.")]
    ) -> TicketPayload:
        return await _answer(
            lambda: tickets.request_ticket_information(
                info.context.viewer, _ticket_pk(id), body, mailer=info.context.mailer
            )
        )

    @mutation(
        requires=needs.RESOLVE_TICKET,
        description="Recipient: answer (OPEN → RESOLVED, solution mandatory); the issuer is told.",
    )
    async def resolve_ticket(
        self, info: Info, id: TicketId, solution: Annotated[str, Arg(description="The solution.")]
    ) -> TicketPayload:
        return await _answer(
            lambda: tickets.resolve_ticket(
                info.context.viewer, _ticket_pk(id), solution, mailer=info.context.mailer
            )
        )

    @mutation(
        requires=needs.TRANSFER_TICKET_TO_SUPPORT,
        description="Business recipient: hand the ticket to the platform support (OPEN, reason mandatory); the "
        "support agents are told.",
    )
    async def transfer_ticket_to_support(
        self, info: Info, id: TicketId, reason: Annotated[str, Arg(description="Why.")]
    ) -> TicketPayload:
        return await _answer(
            lambda: tickets.transfer_ticket_to_support(
                info.context.viewer, _ticket_pk(id), reason, mailer=info.context.mailer
            )
        )

    @mutation(
        requires=needs.COMMENT_TICKET,
        description="Either side: comment, or add files (a blank body with files), while the ticket is neither a "
        "draft nor closed.",
    )
    async def comment_ticket(
        self,
        info: Info,
        id: TicketId,
        body: Annotated[str, Arg(description="The comment (may be blank when files are joined).")],
        attachments: Files = None,
    ) -> TicketPayload:
        return await _answer(
            lambda: tickets.comment_ticket(
                info.context.viewer,
                _ticket_pk(id),
                body,
                list(attachments or []),
                settings=info.context.settings,
            )
        )


@strawberry.type
class TicketSubscription:
    @strawberry.subscription(
        description="New activities of a ticket the viewer may read, as they are added (what exists already is "
        "in `Ticket.activities`); FORBIDDEN, like a missing ticket, otherwise. Ends if the viewer loses the "
        "right or signs out."
    )
    async def ticket_activities(
        self, info: Info, ticket_id: Annotated[strawberry.ID, Arg(description="The ticket.")]
    ) -> AsyncGenerator[TicketActivityType, None]:
        viewer = require_viewer(info)
        rows = await subscriptions.ticket_activities(
            viewer,
            decode_id(ticket_id, "Ticket", ["ticketId"]),
            recheck=info.context.settings.live_recheck_seconds,
        )
        return _activity_stream(info, rows)


async def _activity_stream(
    info: Info, rows: AsyncIterator[models.TicketActivity]
) -> AsyncGenerator[TicketActivityType, None]:
    async with aclosing(rows):  # type: ignore[type-var]
        async for row in rows:
            # The connection's context lives as long as the WebSocket: fresh loaders for each event.
            info.context.loaders = Loaders()
            yield TicketActivityType(row=row)
