"""Relay ``Node``: opaque global IDs and ``node(id:)``.

Every Node type registers here with a ``resolve_visible(info, pk)`` class
method that applies the type's read rule. An id of nothing and an id the
viewer may not see answer the same (null + FORBIDDEN), so ids cannot be used
to probe; a malformed id, or an id of another type, is a VALIDATION error.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from backend.schema.context import Info
from backend.services.errors import Forbidden, Unauthenticated, ValidationFailed

NODE_TYPES: dict[str, Any] = {}
T = TypeVar("T")

NOT_VISIBLE = "Cet élément n'existe pas ou vous n'avez pas le droit de le consulter."
#: Primary keys are 32-bit integers: a larger number designates nothing (and must not reach the database).
MAX_PK = 2**31 - 1


def register_node(cls: type[T]) -> type[T]:
    NODE_TYPES[cls.__strawberry_definition__.name] = cls  # type: ignore[attr-defined]
    return cls


def _parse(value: str, field: list[str]) -> relay.GlobalID:
    try:
        return relay.GlobalID.from_id(value)
    except GlobalIDValueError as error:
        raise ValidationFailed("Identifiant mal formé.", field=field) from error


def decode_id(value: str | relay.GlobalID, type_name: str, field: list[str]) -> int:
    """The primary key behind a global ID that must designate a ``type_name``."""
    gid = value if isinstance(value, relay.GlobalID) else _parse(str(value), field)
    if gid.type_name != type_name:
        raise ValidationFailed(f"Cet identifiant ne désigne pas un objet de type {type_name}.", field=field)
    try:
        pk = int(gid.node_id)
    except ValueError as error:
        raise ValidationFailed("Identifiant mal formé.", field=field) from error
    return pk if 0 < pk <= MAX_PK else 0  # no row has id 0: answered like any id of nothing


def require_viewer(info: Info) -> Any:
    if info.context.viewer is None:
        raise Unauthenticated()
    return info.context.viewer


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID, if the viewer may read it.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The global ID of the object.")],
    ) -> relay.Node | None:
        gid = _parse(str(id), ["id"])
        require_viewer(info)
        cls = NODE_TYPES.get(gid.type_name)
        if cls is None or not gid.node_id.isdigit() or not 0 < int(gid.node_id) <= MAX_PK:
            raise Forbidden(NOT_VISIBLE)
        found = await cls.resolve_visible(info, int(gid.node_id))
        if found is None:
            raise Forbidden(NOT_VISIBLE)
        return found
