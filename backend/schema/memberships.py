"""Memberships (rattachements) and habilitations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from backend import models
from backend.auth.grants import ORGANISATION, Grants
from backend.schema.context import Info
from backend.schema.enums import MembershipStatus
from backend.schema.node import register_node, require_viewer
from backend.schema.pagination import Connection, paginate
from backend.schema.permissions import Myself, OnStructure, Public, guarded
from backend.schema.reference import ProfileType
from backend.schema.structures import ServiceType, StructureType
from backend.services import directory

if TYPE_CHECKING:
    from backend.schema.accounts import UserType

UserRef = Annotated["UserType", strawberry.lazy("backend.schema.accounts")]
WHOEVER_SEES_IT = Public("whoever may see the membership")


async def _user(info: Info, user_id: int | None) -> Any:
    from backend.schema.accounts import UserType

    if user_id is None:
        return None
    row = await info.context.loaders.by_id(models.User).load(user_id)
    return UserType.from_row(row) if row else None


async def _service(info: Info, service_id: int | None) -> ServiceType | None:
    if service_id is None:
        return None
    row = await info.context.loaders.by_id(models.Service).load(service_id)
    return ServiceType.from_row(row) if row else None


@register_node
@strawberry.type(name="Membership", description="A user's attachment (rattachement) to a structure or one of its services.")
class MembershipType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @property
    def structure_id(self) -> int:
        return self.row.structure_id

    @property
    def user_id(self) -> int:
        return self.row.user_id

    @property
    def service_id(self) -> int | None:
        return self.row.service_id

    @guarded(WHOEVER_SEES_IT, description="The attached user.")
    async def user(self, info: Info) -> UserRef:
        return await _user(info, self.row.user_id)

    @guarded(WHOEVER_SEES_IT, description="The structure.")
    async def structure(self, info: Info) -> StructureType:
        row = await info.context.loaders.by_id(models.Structure).load(self.row.structure_id)
        return StructureType.from_row(row)

    @guarded(WHOEVER_SEES_IT, description="Null when attached at structure level (maille structure).")
    async def service(self, info: Info) -> ServiceType | None:
        return await _service(info, self.row.service_id)

    @guarded(WHOEVER_SEES_IT, description="Pending, active, refused or detached.")
    def status(self) -> MembershipStatus:
        return self.row.status

    @guarded(WHOEVER_SEES_IT, description="True when the user is the structure's principal manager.")
    async def is_principal_manager(self, info: Info) -> bool:
        structure = await info.context.loaders.by_id(models.Structure).load(self.row.structure_id)
        return self.row.service_id is None and structure.principal_manager_id == self.row.user_id

    @guarded(
        Myself(OnStructure(ORGANISATION.consultation, service_attr="service_id")),
        description="The user's habilitations at this membership's scope (structure, or service).",
    )
    async def habilitations(self, info: Info) -> list[HabilitationType] | None:
        key = (self.row.user_id, self.row.structure_id, self.row.service_id)
        rows = await info.context.loaders.habilitations_at().load(key)
        return [HabilitationType.from_row(row) for row in rows]

    @guarded(WHOEVER_SEES_IT, description="When the attachment was requested or made.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @classmethod
    def from_row(cls, row: Any) -> MembershipType:
        return cls(id=row.id, row=row)

    @staticmethod
    def visible(row: Any, grants: Grants) -> bool:
        return row.user_id == grants.user_id or grants.has_somewhere_in(ORGANISATION.consultation, row.structure_id)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> MembershipType | None:
        row = await models.Membership.get_or_none(id=pk)
        if row is None or not cls.visible(row, await info.context.grants()):
            return None
        return cls.from_row(row)


@register_node
@strawberry.type(name="Habilitation", description="One profile granted to one user on a structure (or one service).")
class HabilitationType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @guarded(Public("the user themself; Organisation consultation on the structure"), description="The user.")
    async def user(self, info: Info) -> UserRef:
        return await _user(info, self.row.user_id)

    @guarded(Public("the user themself; Organisation consultation on the structure"), description="The structure.")
    async def structure(self, info: Info) -> StructureType:
        row = await info.context.loaders.by_id(models.Structure).load(self.row.structure_id)
        return StructureType.from_row(row)

    @guarded(
        Public("the user themself; Organisation consultation on the structure"),
        description="The service, when granted at service level.",
    )
    async def service(self, info: Info) -> ServiceType | None:
        return await _service(info, self.row.service_id)

    @guarded(Public("the user themself; Organisation consultation on the structure"), description="The profile.")
    async def profile(self, info: Info) -> ProfileType:
        row = await info.context.loaders.by_id(models.Profile).load(self.row.profile_id)
        return ProfileType.from_row(row)

    @guarded(
        Public("the user themself; Organisation consultation on the structure"),
        description="Who granted it (null when granted by the system).",
    )
    async def granted_by(self, info: Info) -> UserRef | None:
        return await _user(info, self.row.granted_by_id)

    @guarded(Public("the user themself; Organisation consultation on the structure"), description="When it was granted.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @classmethod
    def from_row(cls, row: Any) -> HabilitationType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> HabilitationType | None:
        row = await models.Habilitation.get_or_none(id=pk)
        if row is None:
            return None
        grants = await info.context.grants()
        if row.user_id != grants.user_id and not grants.has(ORGANISATION.consultation, row.structure_id, row.service_id):
            return None
        return cls.from_row(row)


@strawberry.type
class ViewerMemberships:
    """Fields of ``Viewer`` about the viewer's structures (mixed into the Viewer type)."""

    @strawberry.field(description="Structures the viewer is attached to, with what they may do there.")
    async def memberships(
        self, info: Info, first: int | None = None, after: str | None = None, search: str | None = None
    ) -> Connection[MembershipType]:
        viewer = require_viewer(info)
        query = models.Membership.filter(user_id=viewer.user.id, status=models.MembershipStatus.ACTIVE)
        if search and search.strip():
            from tortoise.expressions import Q

            term = search.strip()
            query = query.filter(Q(structure__name__icontains=term) | Q(structure__identifier__icontains=term))
        return await paginate(
            query.order_by("structure__name", "id"), first=first, after=after, default=20, to_node=MembershipType.from_row
        )

    @strawberry.field(description="Structures where the viewer is principal manager.")
    async def managed_structures(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[StructureType]:
        viewer = require_viewer(info)
        query = models.Structure.filter(principal_manager_id=viewer.user.id).order_by("name", "id")
        return await paginate(query, first=first, after=after, default=20, to_node=StructureType.from_row)


@strawberry.type
class UserMemberships:
    """Fields of ``User`` about their attachments (mixed into the User type)."""

    @strawberry.field(description="Active attachments of this user that the viewer may see.")
    async def memberships(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[MembershipType]:
        grants = await info.context.grants()
        query = directory.memberships_of_user(grants, self.id)  # type: ignore[attr-defined]
        return await paginate(query, first=first, after=after, default=20, to_node=MembershipType.from_row)
