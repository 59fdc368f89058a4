"""Exports of the ticket lists (« Exporter le tableau »): every row of the filtered tab, CSV or XLSX.

    GET /exports/tickets-emis.csv?tab=IN_PROGRESS&search=facture&status=OPEN&orderBy=NUMBER&direction=ASC
    GET /exports/tickets-recus.xlsx?structureId=…

The query parameters are the GraphQL arguments of ``tickets(tab:, filter:, orderBy:)`` and
``receivedTickets`` (ids are the same global IDs, dates ISO 8601), checked the same way; the rows come
from the same service functions, so the export holds exactly what the list shows, on every page.
Answers as the other exports (``backend.exports.routes.export_route``): without a session or token
401, a malformed parameter 400, with ``{"errors": [{code, field, message}]}`` in French.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request

from backend import models
from backend.auth.grants import Grants
from backend.exports import Column, batches
from backend.exports.routes import export_route
from backend.schema.node import decode_id
from backend.services import tickets
from backend.services.errors import Required, ValidationFailed


@dataclass(frozen=True, slots=True)
class TicketRow:
    """A ticket with the names the export shows for its category, structures and services."""

    ticket: models.Ticket
    category: str
    subcategory: str
    issuer_structure: str
    issuer_service: str
    recipient_structure: str
    recipient_service: str


async def ticket_rows(query: Any) -> AsyncIterator[TicketRow]:
    """The tickets of an ordered queryset with their names, 500 at a time: the categories once, the
    structures and services of each batch in one statement each. Built with every ticket (six
    related rows, all their columns), they cost 0.3 ms a ticket on SQLite (bench/RESULTS.md)."""
    categories = dict(await models.TicketCategory.all().values_list("id", "name"))
    subcategories = dict(await models.TicketSubcategory.all().values_list("id", "name"))
    async for batch in batches(query):
        structure_ids = sorted(
            {pk for t in batch for pk in (t.issuer_structure_id, t.recipient_structure_id) if pk}
        )
        service_ids = sorted(
            {pk for t in batch for pk in (t.issuer_service_id, t.recipient_service_id) if pk}
        )
        structures = {
            pk: f"{name} ({identifier})"
            for pk, name, identifier in await models.Structure.filter(id__in=structure_ids).values_list(
                "id", "name", "identifier"
            )
        }
        services = dict(await models.Service.filter(id__in=service_ids).values_list("id", "name"))
        for t in batch:
            yield TicketRow(
                ticket=t,
                category=categories.get(t.category_id, ""),
                subcategory=subcategories.get(t.subcategory_id, ""),
                issuer_structure=structures.get(t.issuer_structure_id, ""),
                issuer_service=services.get(t.issuer_service_id, ""),
                recipient_structure=structures.get(t.recipient_structure_id, "Support de la plateforme"),
                recipient_service=services.get(t.recipient_service_id, ""),
            )


COLUMNS = [
    Column("Numéro", lambda r: r.ticket.number or ""),
    Column("Description brève", lambda r: r.ticket.title),
    Column("Créé le", lambda r: r.ticket.created_at),
    Column("Catégorie", lambda r: r.category),
    Column("Sous-catégorie", lambda r: r.subcategory),
    Column("Statut", lambda r: tickets.STATUS_LABELS[r.ticket.status]),
    Column("Structure émettrice", lambda r: r.issuer_structure),
    Column("Service émetteur", lambda r: r.issuer_service),
    Column("Structure destinataire", lambda r: r.recipient_structure),
    Column("Service destinataire", lambda r: r.recipient_service),
    Column(
        "Type d'objet",
        lambda r: tickets.OBJECT_TYPE_LABELS[r.ticket.object_type] if r.ticket.object_type else "",
    ),
    Column("N° objet", lambda r: r.ticket.object_number or ""),
    Column("Soumis le", lambda r: r.ticket.submitted_at),
    Column("Fermé le", lambda r: r.ticket.closed_at),
]


def _enum(enum_type: Any, value: str | None, name: str, default: Any = None) -> Any:
    if value is None or value == "":
        return default
    try:
        return enum_type(value)
    except ValueError as error:
        choices = ", ".join(member.value for member in enum_type)
        raise ValidationFailed(
            f"Le paramètre « {name} » vaut {value!r} : valeurs possibles {choices}.", field=[name]
        ) from error


def _id(params: Any, name: str, type_name: str) -> int | None:
    value = params.get(name)
    return decode_id(value, type_name, [name]) if value else None


def _date(params: Any, name: str) -> datetime | None:
    value = params.get(name)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise ValidationFailed(
            f"Le paramètre « {name} » doit être une date ISO 8601 (par exemple 2026-01-31T00:00:00+01:00).",
            field=[name],
        ) from error


def parse_filters(params: Any) -> tuple[tickets.TicketFilters, tickets.TicketSort]:
    """The list's filters and order from the query string (the names of the GraphQL arguments)."""
    filters = tickets.TicketFilters(
        search=params.get("search"),
        category_id=_id(params, "categoryId", "TicketCategory"),
        subcategory_id=_id(params, "subcategoryId", "TicketSubcategory"),
        status=_enum(models.TicketStatus, params.get("status"), "status"),
        structure_id=_id(params, "structureId", "Structure"),
        created_from=_date(params, "createdFrom"),
        created_to=_date(params, "createdTo"),
    )
    field = _enum(tickets.SortField, params.get("orderBy"), "orderBy", tickets.SortField.CREATED_AT)
    direction = (params.get("direction") or "DESC").upper()
    if direction not in ("ASC", "DESC"):
        raise ValidationFailed("Le paramètre « direction » vaut ASC ou DESC.", field=["direction"])
    return filters, tickets.TicketSort(field=field, descending=direction == "DESC")


async def build_issued(request: Request, grants: Grants) -> tuple[list[Column], Any]:
    """A tab of « Tickets émis »: ``tab`` (mandatory) and the filters of ``tickets``."""
    params = request.query_params
    if not params.get("tab"):
        raise Required(
            "Précisez l'onglet à exporter : ACTION_REQUIRED, IN_PROGRESS, CLOSED ou DRAFTS.", field=["tab"]
        )
    tab = _enum(tickets.TicketTab, params.get("tab"), "tab")
    filters, sort = parse_filters(params)
    return COLUMNS, ticket_rows(tickets.issued_tickets(grants, tab, filters, sort))


async def build_received(request: Request, grants: Grants) -> tuple[list[Column], Any]:
    """« Tickets reçus »: the filters of ``receivedTickets``."""
    filters, sort = parse_filters(request.query_params)
    return COLUMNS, ticket_rows(tickets.received_tickets(grants, filters, sort))


routes = [
    export_route("/exports/tickets-emis", "tickets-emis", build_issued),
    export_route("/exports/tickets-recus", "tickets-recus", build_received),
]
