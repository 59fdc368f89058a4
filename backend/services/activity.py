"""« Activités du gestionnaire »: reading a structure's audit log, filtered in SQL."""

from __future__ import annotations

from datetime import datetime

from tortoise.queryset import QuerySet

from backend import models
from backend.auth.grants import ORGANISATION
from backend.auth.viewer import Viewer
from backend.services.access import NOT_ALLOWED, signed_in
from backend.services.errors import Forbidden, ValidationFailed


async def require_structure_activity(viewer: Viewer | None, structure_id: int) -> None:
    """Organisation consultation on the structure (structure level)."""
    grants = await signed_in(viewer).grants()
    if not grants.has(ORGANISATION.consultation, structure_id) or not await models.Structure.exists(
        id=structure_id
    ):
        raise Forbidden(NOT_ALLOWED)


def structure_events(
    structure_id: int,
    *,
    actor_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[models.AuditEvent]:
    """The events of a structure, newest first. ``action``: an exact action (« habilitation.remove »), or
    every action of a kind when it ends with a dot (« habilitation. »)."""
    if since is not None and until is not None and since > until:
        raise ValidationFailed("La date de début doit précéder la date de fin.", field=["from"])
    query = models.AuditEvent.filter(structure_id=structure_id)
    if actor_id is not None:
        query = query.filter(actor_id=actor_id)
    if action and action.strip():
        term = action.strip()
        query = query.filter(action__startswith=term) if term.endswith(".") else query.filter(action=term)
    if since is not None:
        query = query.filter(at__gte=since)
    if until is not None:
        query = query.filter(at__lte=until)
    return query.order_by("-at", "-id")


async def structure_actions(structure_id: int) -> list[str]:
    """The distinct actions recorded on a structure (for the filter's choices)."""
    rows = (
        await models.AuditEvent.filter(structure_id=structure_id)
        .distinct()
        .order_by("action")
        .values_list("action", flat=True)
    )
    return list(rows)
