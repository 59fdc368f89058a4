"""Spreadsheet exports of the users, approvals and activity lists: plain HTTP GET routes.

``/exports/utilisateurs.csv`` (or ``.xlsx``) and the others take the list's filters as query
parameters (global IDs as the API gives them) and answer every row that matches, not the page, read
in batches: memory stays constant whatever the size of the list. The viewer comes from the session
cookie or the API token (``request.state.viewer``, set by the authentication middleware), and the
rows are filtered exactly as the GraphQL lists filter them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backend import models
from backend.auth.grants import ORGANISATION, Grants
from backend.exports import Column, batches, export_response
from backend.models import ApprovalKind, ApprovalState, MembershipStatus
from backend.schema.node import decode_id
from backend.services import activity, approvals, memberships
from backend.services.access import NOT_ALLOWED
from backend.services.errors import DomainError, Forbidden, Required, Unauthenticated, ValidationFailed

FORMATS = ("csv", "xlsx")

MEMBERSHIP_STATUS = {
    MembershipStatus.PENDING: "En cours de validation",
    MembershipStatus.ACTIVE: "Validée",
    MembershipStatus.REFUSED: "Refusée",
    MembershipStatus.DETACHED: "Désactivée",
}
APPROVAL_STATE = {
    ApprovalState.REQUESTED: "Demandée",
    ApprovalState.APPROVED: "Approuvée",
    ApprovalState.REFUSED: "Refusée",
    ApprovalState.CANCELLED: "Annulée",
}
APPROVAL_KIND = {ApprovalKind.ATTACHMENT: "Rattachement", ApprovalKind.HABILITATION_CHANGE: "Habilitations"}
STATUS_CODES = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403}


def _error(error: DomainError) -> JSONResponse:
    body = {"errors": [{"code": error.code, "field": error.field, "message": error.message}]}
    return JSONResponse(body, STATUS_CODES.get(error.code, 400))


def _id(request: Request, name: str, type_name: str) -> int | None:
    value = request.query_params.get(name)
    return decode_id(value, type_name, [name]) if value else None


def _enum(request: Request, name: str, enum: type[Any]) -> Any:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return enum(value)
    except ValueError as error:
        raise ValidationFailed(f"Valeur inconnue pour « {name} » : {value}.", field=[name]) from error


def _datetime(request: Request, name: str) -> datetime | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise ValidationFailed(
            f"Date invalide pour « {name} » (format ISO 8601 attendu).", field=[name]
        ) from error


def export_route(
    path: str, name: str, build: Callable[[Request, Grants], Awaitable[tuple[list[Column], Any]]]
) -> Route:
    """``GET {path}.csv`` and ``.xlsx``: ``build`` checks the filters and returns the columns and the rows."""

    async def endpoint(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in FORMATS:
            return JSONResponse({"error": "Format d'export inconnu : csv ou xlsx."}, 404)
        viewer = getattr(request.state, "viewer", None)
        try:
            if viewer is None:
                raise Unauthenticated()
            columns, rows = await build(request, await viewer.grants())
        except DomainError as error:
            return _error(error)
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        return await export_response(fmt, f"{name}-{stamp}", columns, rows)

    return Route(path + ".{fmt}", endpoint, methods=["GET"])


# ---------------------------------------------------------------------------------------- users


@dataclass
class MemberRow:
    membership: models.Membership
    user: models.User
    structure: models.Structure
    service: models.Service | None
    profiles: list[str]
    contact: bool


async def member_rows(grants: Grants, query: Any) -> AsyncIterator[MemberRow]:
    """The memberships with their user, structure, service and habilitations, 500 at a time (a fixed
    number of queries per batch)."""
    async for batch in batches(query):
        user_ids = sorted({m.user_id for m in batch})
        structure_ids = sorted({m.structure_id for m in batch})
        users = {u.id: u for u in await models.User.filter(id__in=user_ids)}
        structures = {s.id: s for s in await models.Structure.filter(id__in=structure_ids)}
        service_ids = sorted({m.service_id for m in batch if m.service_id})
        services = {s.id: s for s in await models.Service.filter(id__in=service_ids)} if service_ids else {}
        profiles: dict[tuple[int, int, int | None], list[str]] = defaultdict(list)
        for user_id, structure_id, service_id, name in (
            await models.Habilitation.filter(user_id__in=user_ids, structure_id__in=structure_ids)
            .order_by("application__position", "id")
            .values_list("user_id", "structure_id", "service_id", "profile__name")
        ):
            profiles[(user_id, structure_id, service_id)].append(name)
        all_memberships: dict[int, list[models.Membership]] = defaultdict(list)
        for row in await models.Membership.filter(user_id__in=user_ids, status=MembershipStatus.ACTIVE):
            all_memberships[row.user_id].append(row)
        requests: dict[int, list[models.Approval]] = defaultdict(list)
        for row in await models.Approval.filter(requester_id__in=user_ids, state=ApprovalState.REQUESTED):
            requests[row.requester_id].append(row)
        for m in batch:
            yield MemberRow(
                membership=m,
                user=users[m.user_id],
                structure=structures[m.structure_id],
                service=services.get(m.service_id) if m.service_id else None,
                profiles=profiles.get((m.user_id, m.structure_id, m.service_id), []),
                contact=memberships.contact_visible(
                    grants, m.user_id, all_memberships[m.user_id], requests[m.user_id]
                ),
            )


USER_COLUMNS = [
    Column("Nom", lambda r: r.user.last_name),
    Column("Prénom", lambda r: r.user.first_name),
    Column("Adresse électronique", lambda r: r.user.email if r.contact else ""),
    Column("Téléphone", lambda r: (r.user.phone or "") if r.contact else ""),
    Column("Type d'identifiant", lambda r: r.structure.identifier_type.value),
    Column("Identifiant de la structure", lambda r: r.structure.identifier),
    Column("Raison sociale", lambda r: r.structure.name),
    Column("Code du service", lambda r: r.service.code if r.service else ""),
    Column("Service", lambda r: r.service.name if r.service else ""),
    Column("État du rattachement", lambda r: MEMBERSHIP_STATUS[r.membership.status]),
    Column(
        "Gestionnaire principal",
        lambda r: r.membership.service_id is None and r.structure.principal_manager_id == r.user.id,
    ),
    Column("Date de rattachement", lambda r: r.membership.created_at),
    Column("Habilitations", lambda r: ", ".join(r.profiles)),
]


async def build_users(request: Request, grants: Grants) -> tuple[list[Column], Any]:
    """Filters of ``Query.memberships``: structureId, serviceId, status, profileId, search, sort, direction."""
    query = memberships.search_members(
        grants,
        structure_id=_id(request, "structureId", "Structure"),
        service_id=_id(request, "serviceId", "Service"),
        status=_enum(request, "status", MembershipStatus),
        profile_id=_id(request, "profileId", "Profile"),
        search=request.query_params.get("search"),
        order=request.query_params.get("sort") or "LAST_NAME",
        descending=request.query_params.get("direction", "").upper() == "DESC",
    )
    return USER_COLUMNS, member_rows(grants, query)


# ---------------------------------------------------------------------------------------- approvals


@dataclass
class ApprovalRow:
    approval: models.Approval
    requester: models.User
    structure: models.Structure
    service: models.Service | None
    decided_by: models.User | None


async def approval_rows(query: Any) -> AsyncIterator[ApprovalRow]:
    async for batch in batches(query):
        user_ids = {a.requester_id for a in batch} | {a.decided_by_id for a in batch if a.decided_by_id}
        users = {u.id: u for u in await models.User.filter(id__in=sorted(user_ids))}
        structures = {
            s.id: s for s in await models.Structure.filter(id__in=sorted({a.structure_id for a in batch}))
        }
        service_ids = sorted({a.service_id for a in batch if a.service_id})
        services = {s.id: s for s in await models.Service.filter(id__in=service_ids)} if service_ids else {}
        for a in batch:
            yield ApprovalRow(
                approval=a,
                requester=users[a.requester_id],
                structure=structures[a.structure_id],
                service=services.get(a.service_id) if a.service_id else None,
                decided_by=users.get(a.decided_by_id) if a.decided_by_id else None,
            )


APPROVAL_COLUMNS = [
    Column("Numéro", lambda r: r.approval.number),
    Column("État", lambda r: APPROVAL_STATE[r.approval.state]),
    Column("Type", lambda r: APPROVAL_KIND[r.approval.kind]),
    Column("Description", lambda r: r.approval.description),
    Column("Demandeur", lambda r: r.requester.full_name),
    Column("Identifiant de la structure", lambda r: r.structure.identifier),
    Column("Raison sociale", lambda r: r.structure.name),
    Column("Service", lambda r: f"{r.service.code} - {r.service.name}" if r.service else ""),
    Column("Date de création", lambda r: r.approval.created_at),
    Column("Décidée par", lambda r: r.decided_by.full_name if r.decided_by else ""),
    Column("Date de décision", lambda r: r.approval.decided_at),
    Column("Motif", lambda r: r.approval.decision_reason or ""),
]


async def build_approvals(request: Request, grants: Grants) -> tuple[list[Column], Any]:
    """Filters of ``Query.approvals``: state, structureId, kind, search, toDecide."""
    query = approvals.search_approvals(
        grants,
        state=_enum(request, "state", ApprovalState),
        structure_id=_id(request, "structureId", "Structure"),
        kind=_enum(request, "kind", ApprovalKind),
        search=request.query_params.get("search"),
        to_decide=request.query_params.get("toDecide", "").lower() in ("1", "true", "oui"),
    )
    return APPROVAL_COLUMNS, approval_rows(query)


# ---------------------------------------------------------------------------------------- activity


@dataclass
class EventRow:
    event: models.AuditEvent
    actor: models.User | None
    subject: models.User | None


async def event_rows(query: Any) -> AsyncIterator[EventRow]:
    async for batch in batches(query):
        ids = {e.actor_id for e in batch if e.actor_id} | {
            e.subject_user_id for e in batch if e.subject_user_id
        }
        users = {u.id: u for u in await models.User.filter(id__in=sorted(ids))} if ids else {}
        for e in batch:
            yield EventRow(
                event=e,
                actor=users.get(e.actor_id) if e.actor_id else None,
                subject=users.get(e.subject_user_id) if e.subject_user_id else None,
            )


EVENT_COLUMNS = [
    Column("Date", lambda r: r.event.at),
    Column("Auteur", lambda r: r.actor.full_name if r.actor else "Système"),
    Column("Adresse de l'auteur", lambda r: r.actor.email if r.actor else ""),
    Column("Action", lambda r: r.event.action),
    Column("Objet", lambda r: r.event.target_type),
    Column("Identifiant de l'objet", lambda r: r.event.target_id),
    Column("Utilisateur concerné", lambda r: r.subject.full_name if r.subject else ""),
    Column("Modifications", lambda r: r.event.changes or ""),
]


async def build_activity(request: Request, grants: Grants) -> tuple[list[Column], Any]:
    """Filters of ``Structure.auditEvents``: structureId (mandatory), actorId, action, from, to."""
    structure_id = _id(request, "structureId", "Structure")
    if structure_id is None:
        raise Required("Choisissez la structure dont exporter l'activité.", field=["structureId"])
    if not grants.has(ORGANISATION.consultation, structure_id) or not await models.Structure.exists(
        id=structure_id
    ):
        raise Forbidden(NOT_ALLOWED)
    query = activity.structure_events(
        structure_id,
        actor_id=_id(request, "actorId", "User"),
        action=request.query_params.get("action"),
        since=_datetime(request, "from"),
        until=_datetime(request, "to"),
    )
    return EVENT_COLUMNS, event_rows(query)


routes = [
    export_route("/exports/utilisateurs", "utilisateurs", build_users),
    export_route("/exports/approbations", "approbations", build_approvals),
    export_route("/exports/activites", "activites-du-gestionnaire", build_activity),
]
