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

from datetime import datetime
from typing import Any

from starlette.requests import Request

from backend import models
from backend.auth.grants import Grants
from backend.exports import Column, chunks
from backend.exports.routes import export_route
from backend.schema.node import decode_id
from backend.services import tickets
from backend.services.errors import Required, ValidationFailed


def _name(row: Any) -> str:
    return row.name if row is not None else ""


def _structure(row: Any) -> str:
    return f"{row.name} ({row.identifier})" if row is not None else ""


COLUMNS = [
    Column("Numéro", lambda t: t.number or ""),
    Column("Description brève", lambda t: t.title),
    Column("Créé le", lambda t: t.created_at),
    Column("Catégorie", lambda t: _name(t.category)),
    Column("Sous-catégorie", lambda t: _name(t.subcategory)),
    Column("Statut", lambda t: tickets.STATUS_LABELS[t.status]),
    Column("Structure émettrice", lambda t: _structure(t.issuer_structure)),
    Column("Service émetteur", lambda t: _name(t.issuer_service)),
    Column(
        "Structure destinataire", lambda t: _structure(t.recipient_structure) or "Support de la plateforme"
    ),
    Column("Service destinataire", lambda t: _name(t.recipient_service)),
    Column("Type d'objet", lambda t: tickets.OBJECT_TYPE_LABELS[t.object_type] if t.object_type else ""),
    Column("N° objet", lambda t: t.object_number or ""),
    Column("Soumis le", lambda t: t.submitted_at),
    Column("Fermé le", lambda t: t.closed_at),
]
RELATED = (
    "category",
    "subcategory",
    "issuer_structure",
    "issuer_service",
    "recipient_structure",
    "recipient_service",
)


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
    return COLUMNS, chunks(tickets.issued_tickets(grants, tab, filters, sort).select_related(*RELATED))


async def build_received(request: Request, grants: Grants) -> tuple[list[Column], Any]:
    """« Tickets reçus »: the filters of ``receivedTickets``."""
    filters, sort = parse_filters(request.query_params)
    return COLUMNS, chunks(tickets.received_tickets(grants, filters, sort).select_related(*RELATED))


routes = [
    export_route("/exports/tickets-emis", "tickets-emis", build_issued),
    export_route("/exports/tickets-recus", "tickets-recus", build_received),
]
