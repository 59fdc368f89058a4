"""The audit log as the API shows it: ``AuditEvent`` and ``Structure.auditEvents`` (« Activités du
gestionnaire »).

Imports nothing of ``backend.schema.structures`` at load time: ``StructureAuditEvents`` is a base of
``StructureType``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from backend import models
from backend.auth.grants import ORGANISATION, Grants
from backend.schema.context import Info
from backend.schema.node import decode_id, register_node
from backend.schema.pagination import After, Connection, First, paginate
from backend.schema.permissions import OnStructure, Public, guarded
from backend.services import activity

if TYPE_CHECKING:
    from backend.schema.accounts import UserType
    from backend.schema.structures import StructureType

UserRef = Annotated["UserType", strawberry.lazy("backend.schema.accounts")]
StructureRef = Annotated["StructureType", strawberry.lazy("backend.schema.structures")]
READERS = Public(
    "whoever may see the event: Organisation consultation on its structure; the user it is about"
)


def event_visible(grants: Grants, row: Any) -> bool:
    if grants.is_platform_admin:
        return True
    if row.subject_user_id is not None and row.subject_user_id == grants.user_id:
        return True
    return row.structure_id is not None and grants.has(ORGANISATION.consultation, row.structure_id)


@register_node
@strawberry.type(name="AuditEvent", description="One change recorded in the audit log.")
class AuditEventType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @guarded(READERS, description="When.")
    def at(self) -> datetime:
        return self.row.at

    @guarded(READERS, description="Who (null for the system).")
    async def actor(self, info: Info) -> UserRef | None:
        return await _user(info, self.row.actor_id)

    @guarded(READERS, description='What, e.g. "structure.update", "habilitation.remove".')
    def action(self) -> str:
        return self.row.action

    @guarded(READERS, description='The kind of object changed, e.g. "Habilitation".')
    def target_type(self) -> str:
        return self.row.target_type

    @guarded(READERS, description="The identifier of the object changed (its database key).")
    def target_id(self) -> strawberry.ID:
        return strawberry.ID(self.row.target_id)

    @guarded(READERS, description="The structure concerned.")
    async def structure(self, info: Info) -> StructureRef | None:
        from backend.schema.structures import StructureType

        if self.row.structure_id is None:
            return None
        row = await info.context.loaders.by_id(models.Structure).load(self.row.structure_id)
        return StructureType.from_row(row) if row else None

    @guarded(READERS, description="The user the event is about (attached, detached, granted a profile…).")
    async def subject_user(self, info: Info) -> UserRef | None:
        return await _user(info, self.row.subject_user_id)

    @guarded(
        READERS,
        description="JSON object {field: [before, after]} of the changed fields; secrets and full IBANs masked.",
    )
    def changes(self) -> str | None:
        return self.row.changes

    @classmethod
    def from_row(cls, row: Any) -> AuditEventType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> AuditEventType | None:
        row = await models.AuditEvent.get_or_none(id=pk)
        if row is None or not event_visible(await info.context.grants(), row):
            return None
        return cls.from_row(row)


async def _user(info: Info, user_id: int | None) -> Any:
    from backend.schema.accounts import UserType

    if user_id is None:
        return None
    row = await info.context.loaders.by_id(models.User).load(user_id)
    return UserType.from_row(row) if row else None


ORG_CONSULTATION = OnStructure(ORGANISATION.consultation)


@strawberry.type
class StructureAuditEvents:
    """Fields of ``Structure`` about its activity (a base of StructureType)."""

    @guarded(
        ORG_CONSULTATION,
        description="« Activités du gestionnaire »: the structure's audit events, newest first, 20 a page; "
        "filters: who (`actorId`), what (`action`, exact, or every action of a kind when it ends with a dot, "
        'e.g. "habilitation.") and when (`from`, `to`, inclusive).',
    )
    async def audit_events(
        self,
        first: First = None,
        after: After = None,
        actor_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the events of this actor (a user).")
        ] = None,
        action: Annotated[
            str | None,
            strawberry.argument(
                description='Only this action (e.g. "habilitation.add"), or every action of a kind when it ends '
                'with a dot ("habilitation.").'
            ),
        ] = None,
        from_: Annotated[
            datetime | None, strawberry.argument(name="from", description="Events at or after this moment.")
        ] = None,
        to: Annotated[
            datetime | None, strawberry.argument(description="Events at or before this moment.")
        ] = None,
    ) -> Connection[AuditEventType] | None:
        query = activity.structure_events(
            self.structure_id,  # type: ignore[attr-defined]
            actor_id=decode_id(actor_id, "User", ["actorId"]) if actor_id else None,
            action=action,
            since=from_,
            until=to,
        )
        return await paginate(query, first=first, after=after, default=20, to_node=AuditEventType.from_row)

    @guarded(
        ORG_CONSULTATION,
        description="The distinct actions recorded on the structure (choices of the filter).",
    )
    async def audit_actions(self) -> list[str] | None:
        return await activity.structure_actions(self.structure_id)  # type: ignore[attr-defined]
