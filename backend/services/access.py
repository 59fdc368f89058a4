"""Object lookups through the viewer's grants: the one way services load what they act on.

A missing object and one the viewer may not touch raise the same Forbidden,
so ids cannot be used to probe.
"""

from __future__ import annotations

from backend import models
from backend.auth.grants import Need
from backend.auth.viewer import Viewer
from backend.services.errors import Forbidden, Unauthenticated

NOT_ALLOWED = "Cet élément n'existe pas ou vous n'avez pas l'habilitation nécessaire."


def signed_in(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise Unauthenticated()
    return viewer


async def require(
    viewer: Viewer | None, need: Need, structure_id: int, service_id: int | None = None
) -> None:
    grants = await signed_in(viewer).grants()
    if not grants.has(need, structure_id, service_id):
        raise Forbidden(NOT_ALLOWED)


async def structure_for(viewer: Viewer | None, structure_id: int, need: Need) -> models.Structure:
    """The structure, if the viewer holds ``need`` on it (structure level)."""
    await require(viewer, need, structure_id)
    structure = await models.Structure.get_or_none(id=structure_id)
    if structure is None:
        raise Forbidden(NOT_ALLOWED)
    return structure


async def service_for(viewer: Viewer | None, service_id: int, need: Need) -> models.Service:
    """The service, if the viewer holds ``need`` on its structure or on the service itself."""
    service = await models.Service.get_or_none(id=service_id)
    if service is None:
        signed_in(viewer)
        raise Forbidden(NOT_ALLOWED)
    await require(viewer, need, service.structure_id, service.id)
    return service
