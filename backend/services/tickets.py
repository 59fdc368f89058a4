"""Support tickets (sollicitations): drafts, submission, the life cycle, the issued and received lists.

Rules (design/domain.md, reference-data.md, permissions.md, contract/errors.md):

- Two sides. The **issuer side** holds Sollicitations émises on the issuer
  structure (or on the issuer service); the **recipient side** holds
  Sollicitations reçues on the recipient structure (or service), and for a
  ticket with no business recipient the support agents are the recipient
  side. Consultation reads, modification acts. Platform administrators are
  on both sides. A draft is its author's alone.
- A business sub-category ("M - ") needs an active recipient structure other
  than the issuer; the others go to the platform support and take no
  recipient. A sub-category about an object needs its type (one it accepts)
  and its number.
- A draft may be incomplete; submitting validates it (REQUIRED, VALIDATION,
  INVALID_STATE for an inactive structure), gives it the next number
  ``CPROCS`` + 7 digits in the same transaction (gap-free: a rollback gives
  the number back) and opens it.
- Transitions follow the table of errors.md; another side's action is
  FORBIDDEN, an action the status does not allow is INVALID_STATE. Every step
  is an activity (author, time, status before and after) and an audit event,
  written in one transaction; mails go after the commit (issuer: information
  requested, resolved; recipient: a ticket arrives or comes back).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet

from backend import clock, models
from backend.auth.grants import SOLLICITATIONS_EMISES, SOLLICITATIONS_RECUES, Grants
from backend.auth.viewer import Viewer
from backend.models import (
    AccessLevel,
    AccountStatus,
    ActivityStatus,
    TicketActivityKind,
    TicketObjectType,
    TicketStatus,
)
from backend.models.sequences import next_ticket_number
from backend.services import documents, live, notifications
from backend.services.access import NOT_ALLOWED, signed_in
from backend.services.audit import audit
from backend.services.directory import directory_filter
from backend.services.errors import DomainError, Forbidden, Invalid, InvalidState, Required, ValidationFailed
from backend.services.mail import SIGNATURE, Mail, Mailer, text_to_html
from backend.services.paging import Sides
from backend.services.ticket_search import search_tickets
from backend.services.tx import retrying, transaction
from backend.settings import Settings, get_settings
from backend.storage import store_for
from backend.validation import FieldErrors
from backend.validation.documents import CheckedFile, check_file

log = logging.getLogger("portail.tickets")

T = TypeVar("T")

TICKET_ROUTE = "/support/tickets"
TITLE_MAX = 255
DESCRIPTION_MAX = 20_000
BODY_MAX = 20_000
OBJECT_NUMBER_MAX = 100
PHONE_MAX = 32
PHONE_RE = re.compile(r"^\+?[0-9 .()\-]{4,32}$")
#: Attempts of a transaction that lost a race (SQLite busy, PostgreSQL serialization failure or deadlock).

STATUS_LABELS = {
    TicketStatus.DRAFT: "Brouillon",
    TicketStatus.OPEN: "Ouvert",
    TicketStatus.AWAITING_INFORMATION: "En attente d'informations",
    TicketStatus.RESOLVED: "Résolu",
    TicketStatus.CLOSED: "Fermé",
}
OBJECT_TYPE_LABELS = {
    TicketObjectType.FACTURE: "Facture",
    TicketObjectType.DEMANDE_REMBOURSEMENT: "Demande de remboursement",
    TicketObjectType.MEMOIRE: "Mémoire",
}

ISSUER_ONLY = "Cette action revient à la structure émettrice du ticket (Sollicitations émises modification)."
RECIPIENT_ONLY = (
    "Cette action revient au destinataire du ticket (Sollicitations reçues modification, ou le support de "
    "la plateforme pour un ticket qui lui est adressé)."
)
EITHER_SIDE = "Commenter un ticket demande Sollicitations émises ou Sollicitations reçues en modification."
DRAFT_AUTHOR_ONLY = "Seul l'auteur d'un brouillon peut le modifier, le soumettre ou le supprimer."


# ------------------------------------------------------------------------------ tabs, sides, actions


class TicketTab(StrEnum):
    ACTION_REQUIRED = "ACTION_REQUIRED"
    IN_PROGRESS = "IN_PROGRESS"
    CLOSED = "CLOSED"
    DRAFTS = "DRAFTS"


TAB_STATUSES: dict[TicketTab, tuple[TicketStatus, ...]] = {
    TicketTab.ACTION_REQUIRED: (TicketStatus.AWAITING_INFORMATION, TicketStatus.RESOLVED),
    TicketTab.IN_PROGRESS: (TicketStatus.OPEN, TicketStatus.AWAITING_INFORMATION, TicketStatus.RESOLVED),
    TicketTab.CLOSED: (TicketStatus.CLOSED,),
    TicketTab.DRAFTS: (TicketStatus.DRAFT,),
}
SUBMITTED = (TicketStatus.OPEN, TicketStatus.AWAITING_INFORMATION, TicketStatus.RESOLVED, TicketStatus.CLOSED)
OPEN_STATUSES = (TicketStatus.OPEN, TicketStatus.AWAITING_INFORMATION, TicketStatus.RESOLVED)


class TicketAction(StrEnum):
    """What a viewer may do on a ticket now (its status and their side)."""

    EDIT_DRAFT = "EDIT_DRAFT"
    SUBMIT = "SUBMIT"
    DELETE_DRAFT = "DELETE_DRAFT"
    PROVIDE_INFORMATION = "PROVIDE_INFORMATION"
    CLOSE = "CLOSE"
    ACCEPT_SOLUTION = "ACCEPT_SOLUTION"
    REOPEN = "REOPEN"
    ASSIGN = "ASSIGN"
    REQUEST_INFORMATION = "REQUEST_INFORMATION"
    RESOLVE = "RESOLVE"
    TRANSFER_TO_SUPPORT = "TRANSFER_TO_SUPPORT"
    COMMENT = "COMMENT"


def on_issuer_side(
    grants: Grants, ticket: models.Ticket, level: AccessLevel = AccessLevel.CONSULTATION
) -> bool:
    """Sollicitations émises (consultation or modification) on the issuer structure or service."""
    if ticket.status == TicketStatus.DRAFT:
        return ticket.created_by_id == grants.user_id or grants.is_platform_admin
    need = (
        SOLLICITATIONS_EMISES.consultation
        if level == AccessLevel.CONSULTATION
        else SOLLICITATIONS_EMISES.modification
    )
    return grants.has(need, ticket.issuer_structure_id, ticket.issuer_service_id)


def on_recipient_side(
    grants: Grants, ticket: models.Ticket, level: AccessLevel = AccessLevel.CONSULTATION
) -> bool:
    """Sollicitations reçues on the recipient structure or service; support agents for support tickets."""
    if ticket.status == TicketStatus.DRAFT:
        return False
    if ticket.recipient_structure_id is None:
        return grants.is_support_agent or grants.is_platform_admin
    need = (
        SOLLICITATIONS_RECUES.consultation
        if level == AccessLevel.CONSULTATION
        else SOLLICITATIONS_RECUES.modification
    )
    return grants.has(need, ticket.recipient_structure_id, ticket.recipient_service_id)


def may_read(grants: Grants, ticket: models.Ticket) -> bool:
    """Whoever may read a ticket may read every field of it (the Ticket type's one rule)."""
    return on_issuer_side(grants, ticket) or on_recipient_side(grants, ticket)


def viewer_actions(grants: Grants, ticket: models.Ticket) -> list[TicketAction]:
    """The actions the viewer may take now, for screens to show (the services check them again)."""
    status = ticket.status
    if status == TicketStatus.DRAFT:
        if ticket.created_by_id == grants.user_id:
            return [TicketAction.EDIT_DRAFT, TicketAction.SUBMIT, TicketAction.DELETE_DRAFT]
        return []
    issuer = on_issuer_side(grants, ticket, AccessLevel.MODIFICATION)
    recipient = on_recipient_side(grants, ticket, AccessLevel.MODIFICATION)
    actions: list[TicketAction] = []
    if issuer:
        if status == TicketStatus.AWAITING_INFORMATION:
            actions.append(TicketAction.PROVIDE_INFORMATION)
        if status == TicketStatus.RESOLVED:
            actions += [TicketAction.ACCEPT_SOLUTION, TicketAction.REOPEN]
        if status in OPEN_STATUSES:
            actions.append(TicketAction.CLOSE)
    if recipient and status == TicketStatus.OPEN:
        actions += [TicketAction.ASSIGN, TicketAction.REQUEST_INFORMATION, TicketAction.RESOLVE]
        if ticket.recipient_structure_id is not None:
            actions.append(TicketAction.TRANSFER_TO_SUPPORT)
    if (issuer or recipient) and status in OPEN_STATUSES:
        actions.append(TicketAction.COMMENT)
    return actions


# ------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class TicketFilters:
    search: str | None = None
    category_id: int | None = None
    subcategory_id: int | None = None
    status: TicketStatus | None = None
    #: The issuer structure in the issued lists, the recipient structure in the received list.
    structure_id: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    @property
    def searches(self) -> bool:
        """Whether a keyword search narrows the list (a trigram lookup, costly to run twice)."""
        return bool(self.search and self.search.strip())


class SortField(StrEnum):
    NUMBER = "NUMBER"
    TITLE = "TITLE"
    CREATED_AT = "CREATED_AT"
    CATEGORY = "CATEGORY"
    SUBCATEGORY = "SUBCATEGORY"
    STATUS = "STATUS"


SORT_COLUMNS = {
    SortField.NUMBER: "number",
    SortField.TITLE: "title",
    SortField.CREATED_AT: "created_at",
    SortField.CATEGORY: "category__name",
    SortField.SUBCATEGORY: "subcategory__name",
    SortField.STATUS: "status",
}


@dataclass(frozen=True)
class TicketSort:
    field: SortField = SortField.CREATED_AT
    descending: bool = True

    def order_by(self) -> tuple[str, str]:
        sign = "-" if self.descending else ""
        return f"{sign}{SORT_COLUMNS[self.field]}", f"{sign}id"


DEFAULT_SORT = TicketSort()


def _filtered(
    query: QuerySet[models.Ticket], filters: TicketFilters, structure_field: str
) -> QuerySet[models.Ticket]:
    if filters.category_id is not None:
        query = query.filter(category_id=filters.category_id)
    if filters.subcategory_id is not None:
        query = query.filter(subcategory_id=filters.subcategory_id)
    if filters.structure_id is not None:
        query = query.filter(**{structure_field: filters.structure_id})
    if filters.created_from is not None:
        query = query.filter(created_at__gte=filters.created_from)
    if filters.created_to is not None:
        query = query.filter(created_at__lte=filters.created_to)
    return search_tickets(query, filters.search)


def _statuses(allowed: Sequence[TicketStatus], wanted: TicketStatus | None) -> list[TicketStatus]:
    """The tab's statuses, narrowed by a status filter (outside the tab: nothing)."""
    if wanted is None:
        return list(allowed)
    return [wanted] if wanted in allowed else []


def issued_tickets(
    grants: Grants,
    tab: TicketTab,
    filters: TicketFilters = TicketFilters(),
    sort: TicketSort = DEFAULT_SORT,
) -> QuerySet[models.Ticket]:
    """« Tickets émis »: the tab's tickets issued from the viewer's structures and services (Sollicitations
    émises consultation), or the viewer's own drafts; filtered and sorted in SQL."""
    statuses = _statuses(TAB_STATUSES[tab], filters.status)
    if tab == TicketTab.DRAFTS:
        query = models.Ticket.filter(created_by_id=grants.user_id or 0, status__in=statuses)
    else:
        structures = sorted(grants.structures_with(SOLLICITATIONS_EMISES.consultation))
        services = sorted(grants.services_with(SOLLICITATIONS_EMISES.consultation))
        scope = Q(issuer_structure_id__in=structures or [0])
        if services:
            scope |= Q(issuer_service_id__in=services)
        query = models.Ticket.filter(scope, status__in=statuses)
    return _filtered(query, filters, "issuer_structure_id").order_by(*sort.order_by())


def _received_scopes(grants: Grants) -> list[Q]:
    """The disjoint parts of « Tickets reçus »: addressed to the viewer's structures, to their
    services (elsewhere), to the platform support (support agents and administrators). Only the
    parts that can match: an always-false "recipient IN (0) OR …" keeps the planner off the
    (recipient, created_at) index."""
    structures = sorted(grants.structures_with(SOLLICITATIONS_RECUES.consultation))
    services = sorted(grants.services_with(SOLLICITATIONS_RECUES.consultation))
    scopes = [Q(recipient_structure_id__in=structures)] if structures else []
    if services:
        # NOT IN is unknown for a NULL: such rows are kept by their own test.
        elsewhere = Q(recipient_structure_id__isnull=True) | ~Q(recipient_structure_id__in=structures or [0])
        scopes.append(Q(recipient_service_id__in=services) & elsewhere)
    if grants.is_support_agent or grants.is_platform_admin:
        support = Q(recipient_structure_id__isnull=True)
        if services:
            support &= Q(recipient_service_id__isnull=True) | ~Q(recipient_service_id__in=services)
        scopes.append(support)
    return scopes


def received_tickets(
    grants: Grants, filters: TicketFilters = TicketFilters(), sort: TicketSort = DEFAULT_SORT
) -> QuerySet[models.Ticket]:
    """« Tickets reçus »: submitted tickets addressed to the viewer's structures and services
    (Sollicitations reçues consultation), and the platform support's for support agents and
    administrators."""
    scopes = _received_scopes(grants)
    scope = Q(*scopes, join_type=Q.OR) if scopes else Q(id__in=[])
    return _received(scope, filters, sort)


def _received(scope: Q, filters: TicketFilters, sort: TicketSort) -> QuerySet[models.Ticket]:
    query = models.Ticket.filter(scope, status__in=_statuses(SUBMITTED, filters.status))
    return _filtered(query, filters, "recipient_structure_id").order_by(*sort.order_by())


def received_ticket_pages(
    grants: Grants, filters: TicketFilters = TicketFilters(), sort: TicketSort = DEFAULT_SORT
) -> QuerySet[models.Ticket] | Sides:
    """What « Tickets reçus » pages: by date without a keyword search, each part on its own (a
    support agent who also receives for a structure: their structure's tickets, and the support's
    660,000 on L, each read in date order from an index and merged); else one query."""
    scopes = _received_scopes(grants)
    if len(scopes) < 2 or sort.field is not SortField.CREATED_AT or filters.searches:
        return received_tickets(grants, filters, sort)
    parts = tuple(_received(scope, filters, sort) for scope in scopes)
    return Sides(parts=parts, key=("created_at", "id"), descending=sort.descending)


async def readable_ticket(grants: Grants, ticket_id: int) -> models.Ticket | None:
    ticket = await models.Ticket.get_or_none(id=ticket_id)
    return ticket if ticket is not None and may_read(grants, ticket) else None


async def readable_ticket_by_number(grants: Grants, number: str) -> models.Ticket | None:
    number = number.strip().upper()
    if len(number) > 20:  # longer than the column: no such ticket (and the ORM would refuse the filter)
        return None
    ticket = await models.Ticket.get_or_none(number=number)
    return ticket if ticket is not None and may_read(grants, ticket) else None


async def _grants(viewer: Viewer | None) -> Grants:
    return await signed_in(viewer).grants()


async def _ticket_for(viewer: Viewer | None, ticket_id: int) -> tuple[Viewer, Grants, models.Ticket]:
    """The ticket, if the viewer may read it; otherwise the same FORBIDDEN as a missing id."""
    viewer = signed_in(viewer)
    grants = await viewer.grants()
    ticket = await readable_ticket(grants, ticket_id)
    if ticket is None:
        raise Forbidden(NOT_ALLOWED)
    return viewer, grants, ticket


# ------------------------------------------------------------------------------ input and its checks


@dataclass
class TicketData:
    """What the issuer fills in (TicketInput)."""

    category_id: int
    subcategory_id: int
    issuer_structure_id: int
    title: str
    description: str
    issuer_service_id: int | None = None
    recipient_structure_id: int | None = None
    recipient_service_id: int | None = None
    object_type: TicketObjectType | None = None
    object_number: str | None = None
    contact_phone: str | None = None
    attachments: Sequence[Any] = field(default_factory=list)

    @classmethod
    def of(cls, ticket: models.Ticket) -> TicketData:
        """A draft as it is stored (to submit it unchanged)."""
        return cls(
            category_id=ticket.category_id,
            subcategory_id=ticket.subcategory_id,
            issuer_structure_id=ticket.issuer_structure_id,
            issuer_service_id=ticket.issuer_service_id,
            recipient_structure_id=ticket.recipient_structure_id,
            recipient_service_id=ticket.recipient_service_id,
            object_type=ticket.object_type,
            object_number=ticket.object_number,
            title=ticket.title,
            description=ticket.description,
            contact_phone=ticket.contact_phone,
        )


@dataclass
class Checked:
    """The input, validated and resolved."""

    category: models.TicketCategory
    subcategory: models.TicketSubcategory
    issuer: models.Structure
    issuer_service: models.Service | None
    recipient: models.Structure | None
    recipient_service: models.Service | None
    values: dict[str, Any]
    files: list[CheckedFile]


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _optional(text: str | None) -> str | None:
    return _clean(text) or None


async def _check(viewer: Viewer, grants: Grants, data: TicketData, *, complete: bool) -> Checked:
    """Validate ``data``; ``complete`` for a submission (mandatory fields, active structures).

    The issuing structure comes first (FORBIDDEN alone, so that ids cannot be probed); then every
    independent field error is reported at once.
    """
    path = ["input"]
    issuer = await models.Structure.get_or_none(id=data.issuer_structure_id)
    if issuer is None or not grants.has(
        SOLLICITATIONS_EMISES.modification, data.issuer_structure_id, data.issuer_service_id
    ):
        raise Forbidden(
            "Vous ne pouvez pas émettre de ticket pour cette structure : il faut l'habilitation "
            "Sollicitations émises modification sur la structure (ou sur le service choisi).",
            field=[*path, "issuerStructureId"],
        )
    errors: list[DomainError] = []

    issuer_service = None
    if data.issuer_service_id is not None:
        issuer_service = await models.Service.get_or_none(id=data.issuer_service_id, structure_id=issuer.id)
        if issuer_service is None:
            errors.append(
                ValidationFailed(
                    "Ce service n'appartient pas à la structure émettrice.", field=[*path, "issuerServiceId"]
                )
            )
    if complete and issuer.status != ActivityStatus.ACTIVE:
        errors.append(
            InvalidState(
                f"La structure émettrice {issuer.name} est inactive : elle ne peut pas émettre de ticket.",
                field=[*path, "issuerStructureId"],
            )
        )
    if complete and issuer_service is not None and issuer_service.status != ActivityStatus.ACTIVE:
        errors.append(
            InvalidState(
                f"Le service émetteur {issuer_service.name} est inactif.", field=[*path, "issuerServiceId"]
            )
        )

    category = await models.TicketCategory.get_or_none(id=data.category_id)
    subcategory = await models.TicketSubcategory.get_or_none(id=data.subcategory_id)
    if category is None:
        errors.append(ValidationFailed("Cette catégorie n'existe pas.", field=[*path, "categoryId"]))
    if subcategory is None or (category is not None and subcategory.category_id != category.id):
        errors.append(
            ValidationFailed(
                "Cette sous-catégorie n'existe pas dans la catégorie choisie.", field=[*path, "subcategoryId"]
            )
        )
        subcategory = None

    recipient, recipient_service = await _check_recipient(grants, data, subcategory, issuer, complete, errors)
    object_type, object_number = _check_object(data, subcategory, complete, errors)

    title, description = _clean(data.title), _clean(data.description)
    if complete and not title:
        errors.append(Required("Donnez un titre (résumé) au ticket.", field=[*path, "title"]))
    if len(title) > TITLE_MAX:
        errors.append(
            ValidationFailed(f"Le titre ne doit pas dépasser {TITLE_MAX} caractères.", field=[*path, "title"])
        )
    if complete and not description:
        errors.append(Required("Décrivez votre demande (description longue).", field=[*path, "description"]))
    if len(description) > DESCRIPTION_MAX:
        errors.append(
            ValidationFailed(
                f"La description ne doit pas dépasser {DESCRIPTION_MAX} caractères.",
                field=[*path, "description"],
            )
        )
    phone = _optional(data.contact_phone)
    if phone is not None and (len(phone) > PHONE_MAX or not PHONE_RE.match(phone)):
        errors.append(
            ValidationFailed(
                "Le téléphone du contact n'est pas valide (chiffres, espaces, points, tirets, « + » en tête).",
                field=[*path, "contactPhone"],
            )
        )
    files: list[CheckedFile] = []
    try:
        files = await prepare_files(data.attachments, [*path, "attachments"])
    except DomainError as error:
        errors.extend(error.errors if isinstance(error, Invalid) else [error])

    if errors:
        raise Invalid(errors)
    assert category is not None and subcategory is not None
    values = {
        "category_id": category.id,
        "subcategory_id": subcategory.id,
        "issuer_structure_id": issuer.id,
        "issuer_service_id": issuer_service.id if issuer_service else None,
        "recipient_structure_id": recipient.id if recipient else None,
        "recipient_service_id": recipient_service.id if recipient_service else None,
        "object_type": object_type,
        "object_number": object_number,
        "title": title,
        "description": description,
        "contact_phone": phone,
        # The issuing structure's email, or the creator's when the structure has none.
        "contact_email": issuer.email or notifications.address_of(viewer.user),
    }
    return Checked(category, subcategory, issuer, issuer_service, recipient, recipient_service, values, files)


async def _check_recipient(
    grants: Grants,
    data: TicketData,
    subcategory: models.TicketSubcategory | None,
    issuer: models.Structure,
    complete: bool,
    errors: list[DomainError],
) -> tuple[models.Structure | None, models.Service | None]:
    path = ["input"]
    if subcategory is None:
        return None, None
    if not subcategory.is_business:
        if data.recipient_structure_id is not None or data.recipient_service_id is not None:
            errors.append(
                ValidationFailed(
                    "Cette sous-catégorie est traitée par le support de la plateforme : n'indiquez pas de "
                    "structure destinataire (seules les sous-catégories « M - » en ont une).",
                    field=[*path, "recipientStructureId"],
                )
            )
        return None, None
    if data.recipient_structure_id is None:
        if complete:
            errors.append(
                Required(
                    f"La sous-catégorie « {subcategory.name} » s'adresse à une structure destinataire : "
                    "choisissez-la dans l'annuaire.",
                    field=[*path, "recipientStructureId"],
                )
            )
        if data.recipient_service_id is not None:
            errors.append(
                ValidationFailed(
                    "Choisissez la structure destinataire avant son service.",
                    field=[*path, "recipientServiceId"],
                )
            )
        return None, None
    recipient = await models.Structure.filter(
        directory_filter(grants), id=data.recipient_structure_id
    ).first()
    if recipient is None:
        errors.append(
            ValidationFailed(
                "Cette structure destinataire n'existe pas dans l'annuaire.",
                field=[*path, "recipientStructureId"],
            )
        )
        return None, None
    if recipient.id == issuer.id:
        errors.append(
            ValidationFailed(
                "La structure destinataire doit être différente de la structure émettrice.",
                field=[*path, "recipientStructureId"],
            )
        )
    if complete and recipient.status != ActivityStatus.ACTIVE:
        errors.append(
            InvalidState(
                f"La structure destinataire {recipient.name} est inactive : elle ne peut pas recevoir de ticket.",
                field=[*path, "recipientStructureId"],
            )
        )
    recipient_service = None
    if data.recipient_service_id is not None:
        recipient_service = await models.Service.get_or_none(
            id=data.recipient_service_id, structure_id=recipient.id
        )
        if recipient_service is None:
            errors.append(
                ValidationFailed(
                    "Ce service n'appartient pas à la structure destinataire.",
                    field=[*path, "recipientServiceId"],
                )
            )
        elif complete and recipient_service.status != ActivityStatus.ACTIVE:
            errors.append(
                InvalidState(
                    f"Le service destinataire {recipient_service.name} est inactif.",
                    field=[*path, "recipientServiceId"],
                )
            )
    return recipient, recipient_service


def _check_object(
    data: TicketData, subcategory: models.TicketSubcategory | None, complete: bool, errors: list[DomainError]
) -> tuple[TicketObjectType | None, str | None]:
    path = ["input"]
    number = _optional(data.object_number)
    if subcategory is None:
        return data.object_type, number
    accepted = subcategory.accepted_object_types
    if not accepted:
        if data.object_type is not None or number is not None:
            errors.append(
                ValidationFailed(
                    f"La sous-catégorie « {subcategory.name} » ne concerne aucun objet : n'indiquez ni type "
                    "ni numéro d'objet.",
                    field=[*path, "objectType" if data.object_type is not None else "objectNumber"],
                )
            )
        return None, None
    names = ", ".join(OBJECT_TYPE_LABELS[t].lower() for t in accepted)
    if data.object_type is None:
        if complete:
            errors.append(
                Required(f"Indiquez le type d'objet concerné ({names}).", field=[*path, "objectType"])
            )
    elif data.object_type not in accepted:
        errors.append(
            ValidationFailed(
                f"La sous-catégorie « {subcategory.name} » n'accepte pas le type d'objet "
                f"« {OBJECT_TYPE_LABELS[data.object_type]} » (accepté : {names}).",
                field=[*path, "objectType"],
            )
        )
    if number is None and complete:
        errors.append(Required("Indiquez le numéro de l'objet concerné.", field=[*path, "objectNumber"]))
    if number is not None and len(number) > OBJECT_NUMBER_MAX:
        errors.append(
            ValidationFailed(
                f"Le numéro d'objet ne doit pas dépasser {OBJECT_NUMBER_MAX} caractères.",
                field=[*path, "objectNumber"],
            )
        )
    return data.object_type, number


def _required_text(text: str | None, field_name: str, message: str) -> str:
    value = _clean(text)
    if not value:
        raise Required(message, field=[field_name])
    if len(value) > BODY_MAX:
        raise ValidationFailed(f"Le texte ne doit pas dépasser {BODY_MAX} caractères.", field=[field_name])
    return value


# ------------------------------------------------------------------------------ transactions


def _snapshot(ticket: models.Ticket) -> dict[str, Any]:
    return {
        "status": ticket.status,
        "number": ticket.number,
        "recipient_structure_id": ticket.recipient_structure_id,
        "recipient_service_id": ticket.recipient_service_id,
        "assignee_id": ticket.assignee_id,
    }


async def _activity(
    ticket_id: int,
    kind: TicketActivityKind,
    author: models.User,
    body: str | None = None,
    from_status: TicketStatus | None = None,
    to_status: TicketStatus | None = None,
) -> models.TicketActivity:
    activity = await models.TicketActivity.create(
        ticket_id=ticket_id, kind=kind, author=author, body=body, from_status=from_status, to_status=to_status
    )
    await live.ticket_activity_added(ticket_id)  # subscribers hear of it when the transaction commits
    return activity


# ------------------------------------------------------------------------------ drafts and submission


async def _own_draft(viewer: Viewer, grants: Grants, ticket_id: int) -> models.Ticket:
    ticket = await readable_ticket(grants, ticket_id)
    if ticket is None:
        raise Forbidden(NOT_ALLOWED)
    if ticket.status != TicketStatus.DRAFT:
        raise InvalidState(
            f"Le ticket {ticket.number} est déjà soumis (statut « {STATUS_LABELS[ticket.status]} ») : ce n'est "
            "plus un brouillon."
        )
    if ticket.created_by_id != viewer.user.id:
        raise Forbidden(DRAFT_AUTHOR_ONLY)
    return ticket


async def save_ticket_draft(
    viewer: Viewer | None, ticket_id: int | None, data: TicketData, settings: Settings | None = None
) -> models.Ticket:
    """Create or update a draft (only its author may); it may be incomplete."""
    viewer = signed_in(viewer)
    grants = await viewer.grants()
    draft = await _own_draft(viewer, grants, ticket_id) if ticket_id is not None else None
    checked = await _check(viewer, grants, data, complete=False)

    async def work() -> int:
        async with transaction():
            if draft is None:
                ticket = await models.Ticket.create(
                    **checked.values, status=TicketStatus.DRAFT, created_by_id=viewer.user.id
                )
                await audit(
                    viewer.user,
                    "ticket.create_draft",
                    ticket,
                    structure_id=ticket.issuer_structure_id,
                    after={k: v for k, v in checked.values.items() if k != "description"},
                )
                ticket_pk = ticket.id
            else:
                updated = await models.Ticket.filter(id=draft.id, status=TicketStatus.DRAFT).update(
                    **checked.values, updated_at=clock.now(), version=F("version") + 1
                )
                if not updated:
                    raise InvalidState("Ce brouillon vient d'être soumis ou supprimé : rechargez la page.")
                before = {k: getattr(draft, k) for k in checked.values if k != "description"}
                await audit(
                    viewer.user,
                    "ticket.update_draft",
                    draft,
                    structure_id=checked.issuer.id,
                    before=before,
                    after={k: v for k, v in checked.values.items() if k != "description"},
                )
                ticket_pk = draft.id
            await _create_documents(checked.files, ticket_pk, None, viewer.user)
            return ticket_pk

    return await models.Ticket.get(id=await _write(work, checked.files, settings))


async def submit_ticket(
    viewer: Viewer | None,
    ticket_id: int | None,
    data: TicketData | None,
    mailer: Mailer | None = None,
    settings: Settings | None = None,
) -> models.Ticket:
    """Submit a draft (with changes, or as it is), or a new ticket at once: validated, numbered, opened."""
    viewer = signed_in(viewer)
    grants = await viewer.grants()
    draft = await _own_draft(viewer, grants, ticket_id) if ticket_id is not None else None
    if data is None:
        if draft is None:
            raise Required("Remplissez le ticket avant de le soumettre.", field=["input"])
        data = TicketData.of(draft)
    checked = await _check(viewer, grants, data, complete=True)

    async def work() -> int:
        async with transaction():
            now = clock.now()
            if draft is None:
                ticket = await models.Ticket.create(
                    **checked.values, status=TicketStatus.OPEN, created_by_id=viewer.user.id, submitted_at=now
                )
                ticket_pk = ticket.id
            else:
                # The conditional update locks the draft's row: a second submission finds it OPEN.
                updated = await models.Ticket.filter(id=draft.id, status=TicketStatus.DRAFT).update(
                    **checked.values,
                    status=TicketStatus.OPEN,
                    submitted_at=now,
                    updated_at=now,
                    version=F("version") + 1,
                )
                if not updated:
                    raise InvalidState("Ce brouillon vient d'être soumis ou supprimé : rechargez la page.")
                ticket_pk = draft.id
            number = await next_ticket_number()
            await models.Ticket.filter(id=ticket_pk).update(number=number)
            await _activity(
                ticket_pk,
                TicketActivityKind.CREATED,
                viewer.user,
                None,
                TicketStatus.DRAFT,
                TicketStatus.OPEN,
            )
            await _create_documents(checked.files, ticket_pk, None, viewer.user)
            ticket = await models.Ticket.get(id=ticket_pk)
            await audit(
                viewer.user,
                "ticket.submit",
                ticket,
                structure_id=ticket.issuer_structure_id,
                before={"status": TicketStatus.DRAFT},
                after=_snapshot(ticket),
            )
            return ticket_pk

    ticket = await models.Ticket.get(id=await _write(work, checked.files, settings))
    await _notify(mailer, ticket, "arrived", viewer.user)
    return ticket


async def delete_ticket_draft(viewer: Viewer | None, ticket_id: int, settings: Settings | None = None) -> int:
    """Delete a draft (its author only) with its attachments; returns its id."""
    viewer = signed_in(viewer)
    grants = await viewer.grants()
    draft = await _own_draft(viewer, grants, ticket_id)
    digests = set(await models.Document.filter(ticket_id=draft.id).values_list("sha256", flat=True))
    async with transaction():
        deleted = await models.Ticket.filter(id=draft.id, status=TicketStatus.DRAFT).delete()
        if not deleted:
            raise InvalidState("Ce brouillon vient d'être soumis ou supprimé : rechargez la page.")
        await audit(
            viewer.user,
            "ticket.delete_draft",
            draft,
            structure_id=draft.issuer_structure_id,
            before={"title": draft.title, "status": draft.status},
        )
    store = store_for(settings or get_settings())
    for digest in sorted(digests):
        await documents.release_blob(store, digest)
    return draft.id


# ------------------------------------------------------------------------------ the life cycle


@dataclass(frozen=True)
class Transition:
    action: str
    side: str  # "issuer", "recipient" or "either"
    allowed: tuple[TicketStatus, ...]
    to: TicketStatus | None  # None: unchanged
    kind: TicketActivityKind
    label: str  # French, for the INVALID_STATE message


PROVIDE_INFORMATION = Transition(
    "ticket.provide_information",
    "issuer",
    (TicketStatus.AWAITING_INFORMATION,),
    TicketStatus.OPEN,
    TicketActivityKind.INFORMATION_PROVIDED,
    "La transmission d'informations",
)
CLOSE = Transition(
    "ticket.close",
    "issuer",
    OPEN_STATUSES,
    TicketStatus.CLOSED,
    TicketActivityKind.CLOSED,
    "La fermeture",
)
ACCEPT_SOLUTION = Transition(
    "ticket.accept_solution",
    "issuer",
    (TicketStatus.RESOLVED,),
    TicketStatus.CLOSED,
    TicketActivityKind.SOLUTION_ACCEPTED,
    "L'acceptation de la solution",
)
REOPEN = Transition(
    "ticket.reopen",
    "issuer",
    (TicketStatus.RESOLVED,),
    TicketStatus.OPEN,
    TicketActivityKind.REOPENED,
    "Le renvoi du ticket",
)
ASSIGN = Transition(
    "ticket.assign",
    "recipient",
    (TicketStatus.OPEN,),
    None,
    TicketActivityKind.ASSIGNED,
    "L'assignation",
)
REQUEST_INFORMATION = Transition(
    "ticket.request_information",
    "recipient",
    (TicketStatus.OPEN,),
    TicketStatus.AWAITING_INFORMATION,
    TicketActivityKind.INFORMATION_REQUESTED,
    "La demande d'informations",
)
RESOLVE = Transition(
    "ticket.resolve",
    "recipient",
    (TicketStatus.OPEN,),
    TicketStatus.RESOLVED,
    TicketActivityKind.RESOLVED,
    "La résolution",
)
TRANSFER = Transition(
    "ticket.transfer_to_support",
    "recipient",
    (TicketStatus.OPEN,),
    None,
    TicketActivityKind.TRANSFERRED,
    "Le transfert au support",
)
COMMENT = Transition(
    "ticket.comment",
    "either",
    OPEN_STATUSES,
    None,
    TicketActivityKind.COMMENT,
    "Un commentaire",
)


def _check_side(grants: Grants, ticket: models.Ticket, side: str) -> None:
    issuer = on_issuer_side(grants, ticket, AccessLevel.MODIFICATION)
    recipient = on_recipient_side(grants, ticket, AccessLevel.MODIFICATION)
    if side == "issuer" and not issuer:
        raise Forbidden(ISSUER_ONLY)
    if side == "recipient" and not recipient:
        raise Forbidden(RECIPIENT_ONLY)
    if side == "either" and not (issuer or recipient):
        raise Forbidden(EITHER_SIDE)


def _check_status(ticket: models.Ticket, transition: Transition) -> None:
    if ticket.status not in transition.allowed:
        allowed = ", ".join(f"« {STATUS_LABELS[s]} »" for s in transition.allowed)
        which = f"le ticket {ticket.number}" if ticket.number else "ce brouillon"
        raise InvalidState(
            f"{transition.label} n'est pas possible pour {which} au statut « {STATUS_LABELS[ticket.status]} » "
            f"(seulement au statut {allowed})."
        )


async def _apply(
    viewer: Viewer,
    ticket: models.Ticket,
    transition: Transition,
    *,
    body: str | None = None,
    kind: TicketActivityKind | None = None,
    changes: dict[str, Any] | None = None,
    files: list[CheckedFile] | None = None,
    settings: Settings | None = None,
) -> models.Ticket:
    """Write one step: the conditional status change, its activity, attachments and audit event."""
    files = files or []
    to = transition.to

    async def work() -> int:
        async with transaction():
            now = clock.now()
            values: dict[str, Any] = {"updated_at": now, "version": F("version") + 1, **(changes or {})}
            if to is not None:
                values["status"] = to
                if to == TicketStatus.CLOSED:
                    values["closed_at"] = now
            # Conditional on the status read: a concurrent step makes this one find nothing to change.
            updated = await models.Ticket.filter(id=ticket.id, status=ticket.status).update(**values)
            if not updated:
                raise InvalidState(
                    "Le ticket vient d'être modifié par quelqu'un d'autre : rechargez la page."
                )
            activity = await _activity(
                ticket.id,
                kind or transition.kind,
                viewer.user,
                body,
                ticket.status if to is not None else None,
                to,
            )
            await _create_documents(files, ticket.id, activity.id, viewer.user)
            after = await models.Ticket.get(id=ticket.id)
            await audit(
                viewer.user,
                transition.action,
                after,
                structure_id=after.issuer_structure_id,
                before=_snapshot(ticket),
                after=_snapshot(after),
            )
            return ticket.id

    return await models.Ticket.get(id=await _write(work, files, settings))


async def _step(
    viewer: Viewer | None,
    ticket_id: int,
    transition: Transition,
    *,
    text: tuple[str | None, str, str] | None = None,
    attachments: Sequence[Any] = (),
    mailer: Mailer | None = None,
    notify: str | None = None,
    settings: Settings | None = None,
) -> models.Ticket:
    """A transition of the table: side (FORBIDDEN), then status (INVALID_STATE), then the text (REQUIRED)."""
    viewer, grants, ticket = await _ticket_for(viewer, ticket_id)
    _check_side(grants, ticket, transition.side)
    _check_status(ticket, transition)
    body = _required_text(*text) if text is not None else None
    files = await prepare_files(attachments, ["attachments"])
    after = await _apply(viewer, ticket, transition, body=body, files=files, settings=settings)
    if notify:
        await _notify(mailer, after, notify, viewer.user)
    return after


async def provide_ticket_information(
    viewer: Viewer | None,
    ticket_id: int,
    body: str,
    attachments: Sequence[Any] = (),
    mailer: Mailer | None = None,
    settings: Settings | None = None,
) -> models.Ticket:
    """The issuer answers a request for information: back to OPEN, the recipient is told."""
    return await _step(
        viewer,
        ticket_id,
        PROVIDE_INFORMATION,
        text=(body, "body", "Saisissez les informations demandées."),
        attachments=attachments,
        mailer=mailer,
        notify="back",
        settings=settings,
    )


async def close_ticket(viewer: Viewer | None, ticket_id: int) -> models.Ticket:
    """The issuer no longer needs an answer."""
    return await _step(viewer, ticket_id, CLOSE)


async def accept_ticket_solution(viewer: Viewer | None, ticket_id: int) -> models.Ticket:
    """The issuer accepts the solution: CLOSED."""
    return await _step(viewer, ticket_id, ACCEPT_SOLUTION)


async def reopen_ticket(
    viewer: Viewer | None, ticket_id: int, reason: str, mailer: Mailer | None = None
) -> models.Ticket:
    """The issuer is not satisfied with the solution: back to OPEN with a reason; the recipient is told."""
    return await _step(
        viewer,
        ticket_id,
        REOPEN,
        text=(reason, "reason", "Expliquez pourquoi la solution ne vous convient pas."),
        mailer=mailer,
        notify="back",
    )


async def request_ticket_information(
    viewer: Viewer | None, ticket_id: int, body: str, mailer: Mailer | None = None
) -> models.Ticket:
    """The recipient asks the issuer for more: AWAITING_INFORMATION; the issuer is told."""
    return await _step(
        viewer,
        ticket_id,
        REQUEST_INFORMATION,
        text=(body, "body", "Précisez les informations que vous demandez."),
        mailer=mailer,
        notify="information_requested",
    )


async def resolve_ticket(
    viewer: Viewer | None, ticket_id: int, solution: str, mailer: Mailer | None = None
) -> models.Ticket:
    """The recipient answers: RESOLVED; the issuer is told."""
    return await _step(
        viewer,
        ticket_id,
        RESOLVE,
        text=(solution, "solution", "Décrivez la solution apportée."),
        mailer=mailer,
        notify="resolved",
    )


async def assign_ticket(viewer: Viewer | None, ticket_id: int, assignee_id: int | None) -> models.Ticket:
    """The recipient side takes the ticket (``assignee_id`` None: the viewer), or gives it to a colleague
    who may work it."""
    viewer, grants, ticket = await _ticket_for(viewer, ticket_id)
    _check_side(grants, ticket, "recipient")
    _check_status(ticket, ASSIGN)
    assignee = viewer.user
    if assignee_id is not None and assignee_id != viewer.user.id:
        found = await models.User.get_or_none(id=assignee_id)
        may_work = (
            found is not None
            and found.status == AccountStatus.ACTIVE
            and on_recipient_side(await Grants.load(found), ticket, AccessLevel.MODIFICATION)
        )
        if found is None or not may_work:
            raise ValidationFailed(
                "Ce ticket ne peut être assigné qu'à une personne qui peut le traiter (Sollicitations reçues "
                "modification sur la structure destinataire, ou agent du support).",
                field=["assigneeId"],
            )
        assignee = found
    return await _apply(viewer, ticket, ASSIGN, body=assignee.full_name, changes={"assignee_id": assignee.id})


async def transfer_ticket_to_support(
    viewer: Viewer | None, ticket_id: int, reason: str, mailer: Mailer | None = None
) -> models.Ticket:
    """The business recipient hands the ticket to the platform support (it leaves their queue)."""
    viewer, grants, ticket = await _ticket_for(viewer, ticket_id)
    _check_side(grants, ticket, "recipient")
    _check_status(ticket, TRANSFER)
    if ticket.recipient_structure_id is None:
        raise InvalidState("Ce ticket est déjà traité par le support de la plateforme.")
    body = _required_text(reason, "reason", "Expliquez pourquoi vous transférez le ticket au support.")
    after = await _apply(
        viewer,
        ticket,
        TRANSFER,
        body=body,
        changes={"recipient_structure_id": None, "recipient_service_id": None, "assignee_id": None},
    )
    await _notify(mailer, after, "arrived", viewer.user)
    return after


async def comment_ticket(
    viewer: Viewer | None,
    ticket_id: int,
    body: str | None,
    attachments: Sequence[Any] = (),
    settings: Settings | None = None,
) -> models.Ticket:
    """Either side comments, or adds attachments (a blank comment with files), while the ticket is open."""
    viewer, grants, ticket = await _ticket_for(viewer, ticket_id)
    _check_side(grants, ticket, "either")
    _check_status(ticket, COMMENT)
    text = _clean(body)
    if not text and not attachments:
        raise Required("Saisissez un commentaire ou joignez un fichier.", field=["body"])
    if len(text) > BODY_MAX:
        raise ValidationFailed(f"Le texte ne doit pas dépasser {BODY_MAX} caractères.", field=["body"])
    files = await prepare_files(attachments, ["attachments"])
    kind = TicketActivityKind.COMMENT if text else TicketActivityKind.ATTACHMENT_ADDED
    return await _apply(viewer, ticket, COMMENT, body=text or None, kind=kind, files=files, settings=settings)


# ------------------------------------------------------------------------------ attachments

#: Files in one request (each one follows the document rules of reference-data.md).
MAX_FILES = 10


async def prepare_files(uploads: Sequence[Any] | None, field: list[str]) -> list[CheckedFile]:
    """Read and check each upload (size, name, extension, content), every error at once."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(f"Joignez au plus {MAX_FILES} fichiers à la fois.", field=field)
    errors = FieldErrors()
    checked: list[CheckedFile] = []
    for index, upload in enumerate(uploads):
        at = [*field, str(index)]
        with errors.check():
            filename, data = await documents.read_upload(upload, at, missing="Le fichier joint est absent.")
            checked.append(check_file(filename, data, at))
    errors.raise_if_any()
    return checked


async def _create_documents(
    files: Sequence[CheckedFile], ticket_id: int, activity_id: int | None, user: models.User
) -> None:
    """The rows of the files (inside the step's transaction; their blobs are written already)."""
    for checked in files:
        await models.Document.create(
            ticket_id=ticket_id,
            ticket_activity_id=activity_id,
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            storage_key=documents.storage_key(checked.sha256),
            uploaded_by=user,
        )


async def _write(
    work: Callable[[], Awaitable[T]], files: Sequence[CheckedFile], settings: Settings | None
) -> T:
    """Run ``work`` (one transaction, again when it lost a race) after writing the files' blobs, holding
    their per-digest locks until it commits; if it fails, no blob of its own is left behind."""
    if not files:
        return await retrying(work)
    store = store_for(settings or get_settings())
    # One lock per distinct digest, always taken in the same order (two requests cannot deadlock).
    distinct = sorted({checked.sha256: checked for checked in files}.values(), key=lambda c: c.sha256)

    async def nested(remaining: list[CheckedFile]) -> T:
        if not remaining:
            return await retrying(work)
        return await documents.stored_then(store, remaining[0], lambda: nested(remaining[1:]))

    return await nested(distinct)


async def document_readable(grants: Grants, document: models.Document) -> bool:
    """A ticket's attachment is readable (and downloadable) by whoever may read the ticket."""
    ticket_id = document.ticket_id
    if ticket_id is None and document.ticket_activity_id is not None:
        activity = await models.TicketActivity.get_or_none(id=document.ticket_activity_id)
        ticket_id = activity.ticket_id if activity is not None else None
    return ticket_id is not None and await readable_ticket(grants, ticket_id) is not None


# ------------------------------------------------------------------------------ mails


def ticket_link(public_url: str, ticket: models.Ticket) -> str:
    return f"{public_url}{TICKET_ROUTE}/{ticket.number}"


async def recipient_addresses(ticket: models.Ticket, actor: models.User | None = None) -> list[str]:
    """Who works the ticket: the holders of Sollicitations reçues modification on the recipient structure
    (or its service), else the structure's email; the support agents for a support ticket."""
    actor_id = actor.id if actor is not None else None
    if ticket.recipient_structure_id is None:
        users = await models.User.filter(is_support_agent=True, status=AccountStatus.ACTIVE).order_by("id")
        return _addresses(u for u in users if u.id != actor_id)
    scope = Q(service_id__isnull=True)
    if ticket.recipient_service_id is not None:
        scope |= Q(service_id=ticket.recipient_service_id)
    user_ids = await models.Habilitation.filter(
        scope,
        structure_id=ticket.recipient_structure_id,
        application__code=SOLLICITATIONS_RECUES.code,
        profile__level=AccessLevel.MODIFICATION,
    ).values_list("user_id", flat=True)
    users = await models.User.filter(id__in=list(user_ids) or [0], status=AccountStatus.ACTIVE).order_by("id")
    found = _addresses(u for u in users if u.id != actor_id)
    if not found:
        structure = await models.Structure.get(id=ticket.recipient_structure_id)
        found = [structure.email] if structure.email else []
    return found


async def issuer_addresses(ticket: models.Ticket) -> list[str]:
    """The ticket's contact email and its author's address."""
    creator = await models.User.get_or_none(id=ticket.created_by_id)
    return _addresses([ticket.contact_email, *([creator] if creator is not None else [])])


def _addresses(items: Iterable[Any]) -> list[str]:
    seen: list[str] = []
    for item in items:
        address = item if isinstance(item, str) else notifications.address_of(item)
        if address and address.lower() not in (s.lower() for s in seen):
            seen.append(address)
    return seen


def ticket_mail(public_url: str, to: str, ticket: models.Ticket, event: str, body: str | None) -> Mail:
    """The French message of ``event``: arrived, back, information_requested, resolved."""
    number, title = ticket.number, ticket.title
    link = ticket_link(public_url, ticket)
    if event == "arrived":
        subject = f"Nouveau ticket {number} : {title}"
        intro = f"Le ticket {number} « {title} » vous est adressé sur le Portail Organisation."
    elif event == "back":
        subject = f"Ticket {number} : retour du demandeur"
        intro = f"Le demandeur a répondu sur le ticket {number} « {title} » : il attend de nouveau votre traitement."
    elif event == "information_requested":
        subject = f"Ticket {number} : informations demandées"
        intro = f"Des informations complémentaires vous sont demandées sur votre ticket {number} « {title} »."
    else:
        subject = f"Ticket {number} résolu"
        intro = (
            f"Votre ticket {number} « {title} » a reçu une réponse. Vous pouvez accepter la solution, "
            "fermer le ticket, ou le renvoyer si la réponse ne vous convient pas."
        )
    quoted = f"\n\nMessage :\n{body}" if body else ""
    text = f"Bonjour,\n\n{intro}{quoted}\n\nPour consulter le ticket : {link}\n\n{SIGNATURE}"
    return Mail(to=to, subject=subject, text=text, html=text_to_html(text))


async def _notify(mailer: Mailer | None, ticket: models.Ticket, event: str, actor: models.User) -> None:
    """After the commit: sending never undoes the action."""
    if mailer is None:
        return
    try:
        if event in ("arrived", "back"):
            addresses = await recipient_addresses(ticket, actor)
        else:
            addresses = await issuer_addresses(ticket)
        last = (
            await models.TicketActivity.filter(ticket_id=ticket.id).order_by("-id").first()
            if event != "arrived"
            else None
        )
        body = last.body if last is not None else None
        public_url = mailer.settings.public_url
        notifications.deliver(mailer, [ticket_mail(public_url, to, ticket, event, body) for to in addresses])
    except Exception:  # a mail never undoes the action; the log keeps the reason
        log.exception("ticket %s: the %s notification could not be queued", ticket.number, event)
