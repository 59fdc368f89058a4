"""Structures and services: the public directory, and what Organisation consultation shows."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from backend import models
from backend.auth.grants import ORGANISATION, Grants
from backend.schema.context import Info
from backend.schema.enums import ActivityStatus, IdentifierType, MembershipStatus, StructureKind
from backend.schema.node import decode_id, register_node, require_viewer
from backend.schema.pagination import Connection, paginate
from backend.schema.permissions import OnStructure, Predicate, Public, guarded
from backend.schema.reference import ProfileType
from backend.services import directory

if TYPE_CHECKING:
    from backend.schema.accounts import UserType
    from backend.schema.memberships import MembershipType


PUBLIC_DIRECTORY = Public("any signed-in user (public directory)")
ORG_CONSULTATION = OnStructure(ORGANISATION.consultation)
UserRef = Annotated["UserType", strawberry.lazy("backend.schema.accounts")]
MembershipRef = Annotated["MembershipType", strawberry.lazy("backend.schema.memberships")]


@strawberry.type(description="A postal address.")
class Address:
    line1: str = strawberry.field(description="Street address.")
    line2: str | None = strawberry.field(description="Address complement.")
    line3: str | None = strawberry.field(description="Second address complement.")
    postal_code: str = strawberry.field(description="Postal code.")
    city: str = strawberry.field(description="City.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2")

    @classmethod
    def from_row(cls, row: Any) -> Address | None:
        if not row.address_line1 and not row.city:
            return None
        return cls(
            line1=row.address_line1 or "",
            line2=row.address_line2,
            line3=row.address_line3,
            postal_code=row.postal_code or "",
            city=row.city or "",
            country=row.country or "FR",
        )


@strawberry.type(description="Connection and invoicing options of a structure.")
class StructureOptions:
    receives_lifecycle_edi: bool = strawberry.field(description="Receives life-cycle statuses in EDI.")
    is_edi_sender: bool = strawberry.field(description="Is an EDI flow sender.")
    active_connection_request: bool = strawberry.field(description="Has an active connection request.")
    service_code_required: bool = strawberry.field(description="Invoices must name a service code.")
    commitment_number_required: bool = strawberry.field(
        description="Invoices must carry a legal commitment (EJ) number."
    )
    non_diffusible_insee: bool = strawberry.field(description="Marked non-diffusible by INSEE.")


@register_node
@strawberry.type(
    name="Structure",
    description="An issuer or recipient of invoices. Public directory fields are readable by any signed-in "
    "user; the rest needs Organisation consultation on the structure.",
)
class StructureType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @property
    def structure_id(self) -> int:
        return self.row.id

    @guarded(PUBLIC_DIRECTORY, description="Type of the identifier.")
    def identifier_type(self) -> IdentifierType:
        return self.row.identifier_type

    @guarded(PUBLIC_DIRECTORY, description="SIRET or other identifier.")
    def identifier(self) -> str:
        return self.row.identifier

    @guarded(PUBLIC_DIRECTORY, description="Company name (raison sociale).")
    def name(self) -> str:
        return self.row.name

    @guarded(PUBLIC_DIRECTORY, description="Label (libellé).")
    def label(self) -> str | None:
        return self.row.label

    @guarded(PUBLIC_DIRECTORY, description="Private (supplier) or public entity.")
    def kind(self) -> StructureKind:
        return self.row.kind

    @guarded(PUBLIC_DIRECTORY, description="Active or inactive.")
    def status(self) -> ActivityStatus:
        return self.row.status

    @guarded(
        Predicate(
            "city_visible",
            "any signed-in user, except for a structure marked non-diffusible INSEE: its members and "
            "Organisation consultation only",
        ),
        description="City; hidden for structures marked non-diffusible INSEE, except to their members.",
    )
    def city(self) -> str | None:
        return self.row.city

    def city_visible(self, grants: Grants) -> bool:
        return directory.city_visible(self.row, grants)

    @guarded(ORG_CONSULTATION, description="Contact email.")
    def email(self) -> str | None:
        return self.row.email

    @guarded(ORG_CONSULTATION, description="Contact phone.")
    def phone(self) -> str | None:
        return self.row.phone

    @guarded(ORG_CONSULTATION, description="Postal address.")
    def address(self) -> Address | None:
        return Address.from_row(self.row)

    @guarded(ORG_CONSULTATION, description="Connection and invoicing options.")
    def options(self) -> StructureOptions | None:
        r = self.row
        return StructureOptions(
            receives_lifecycle_edi=r.receives_lifecycle_edi,
            is_edi_sender=r.is_edi_sender,
            active_connection_request=r.active_connection_request,
            service_code_required=r.service_code_required,
            commitment_number_required=r.commitment_number_required,
            non_diffusible_insee=r.non_diffusible_insee,
        )

    @guarded(ORG_CONSULTATION, description="Legal-fees provider category (mémoires de frais de justice).")
    def legal_fees_provider_category(self) -> str | None:
        return self.row.legal_fees_provider_category

    @guarded(ORG_CONSULTATION, description="The principal manager (gestionnaire principal), if any.")
    async def principal_manager(self, info: Info) -> UserRef | None:
        from backend.schema.accounts import UserType

        if self.row.principal_manager_id is None:
            return None
        user = await info.context.loaders.by_id(models.User).load(self.row.principal_manager_id)
        return UserType.from_row(user) if user else None

    @guarded(ORG_CONSULTATION, description="Optimistic-locking version: send it back with updateStructure.")
    def version(self) -> int | None:
        return self.row.version

    @guarded(ORG_CONSULTATION, description="The structure this one was duplicated from.")
    async def origin(self, info: Info) -> StructureType | None:
        if self.row.origin_id is None:
            return None
        row = await info.context.loaders.by_id(models.Structure).load(self.row.origin_id)
        return StructureType.from_row(row) if row else None

    @guarded(ORG_CONSULTATION, description="Structures duplicated from this one.")
    async def duplicates(self, info: Info) -> list[StructureType] | None:
        rows = await info.context.loaders.children(models.Structure, "origin_id").load(self.row.id)
        return [StructureType.from_row(row) for row in rows]

    @guarded(
        Public("any signed-in user (id, code, name and status; other fields need Organisation consultation)"),
        description="Services of the structure, by code. Public: id, code, name and status of services are "
        "readable by any signed-in user (to address a request or a ticket); the other service fields need "
        "Organisation consultation.",
    )
    async def services(
        self,
        first: int | None = None,
        after: str | None = None,
        status: ActivityStatus | None = None,
        search: str | None = None,
    ) -> Connection[ServiceType] | None:
        query = models.Service.filter(structure_id=self.row.id)
        if status is not None:
            query = query.filter(status=status)
        if search and search.strip():
            from tortoise.expressions import Q

            query = query.filter(Q(code__icontains=search.strip()) | Q(name__icontains=search.strip()))
        return await paginate(query.order_by("code", "id"), first=first, after=after, default=20, to_node=ServiceType.from_row)

    @guarded(
        Predicate("can_list_members", "Organisation consultation on the structure (or on a service: its members)"),
        description="Users attached to the structure, by last name then first name. Without `status`, ACTIVE "
        "memberships only.",
    )
    async def members(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        service_id: strawberry.ID | None = None,
        status: MembershipStatus | None = None,
    ) -> Connection[MembershipRef] | None:
        from backend.schema.memberships import MembershipType

        grants = await info.context.grants()
        service_pk = decode_id(service_id, "Service", ["serviceId"]) if service_id else None
        query = directory.members_of(grants, self.row.id, search=search, service_id=service_pk, status=status)
        return await paginate(query, first=first, after=after, default=20, to_node=MembershipType.from_row)

    def can_list_members(self, grants: Grants) -> bool:
        return grants.has_somewhere_in(ORGANISATION.consultation, self.row.id)

    @guarded(PUBLIC_DIRECTORY, description="When the structure was created.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @guarded(PUBLIC_DIRECTORY, description="When the structure last changed.")
    def updated_at(self) -> datetime:
        return self.row.updated_at

    @guarded(PUBLIC_DIRECTORY, description="The viewer's own profiles on this structure (empty when not attached).")
    async def viewer_profiles(self, info: Info) -> list[ProfileType]:
        viewer = require_viewer(info)
        rows = await info.context.loaders.habilitations_at().load((viewer.user.id, self.row.id, None))
        profiles = await info.context.loaders.by_id(models.Profile).load_many([h.profile_id for h in rows])
        return [ProfileType.from_row(p) for p in profiles if p is not None]

    @guarded(PUBLIC_DIRECTORY, description="True when the viewer is this structure's principal manager.")
    async def viewer_is_principal_manager(self, info: Info) -> bool:
        viewer = require_viewer(info)
        return self.row.principal_manager_id == viewer.user.id

    @classmethod
    def from_row(cls, row: Any) -> StructureType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> StructureType | None:
        row = await directory.visible_structure(await info.context.grants(), pk)
        return cls.from_row(row) if row else None


@register_node
@strawberry.type(
    name="Service",
    description="A sub-unit of a structure (secteur étanche). Id, code, name and status are public to signed-in "
    "users; the rest needs Organisation consultation.",
)
class ServiceType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @property
    def structure_id(self) -> int:
        return self.row.structure_id

    @property
    def service_id(self) -> int:
        return self.row.id

    @guarded(PUBLIC_DIRECTORY, description="The structure the service belongs to.")
    async def structure(self, info: Info) -> StructureType:
        row = await info.context.loaders.by_id(models.Structure).load(self.row.structure_id)
        return StructureType.from_row(row)

    @guarded(PUBLIC_DIRECTORY, description="Code, unique within the structure.")
    def code(self) -> str:
        return self.row.code

    @guarded(PUBLIC_DIRECTORY, description="Name.")
    def name(self) -> str:
        return self.row.name

    @guarded(PUBLIC_DIRECTORY, description="Active or inactive.")
    def status(self) -> ActivityStatus:
        return self.row.status

    @guarded(OnStructure(ORGANISATION.consultation, service_attr="service_id"), description="Description.")
    def description(self) -> str | None:
        return self.row.description

    @guarded(OnStructure(ORGANISATION.consultation, service_attr="service_id"), description="Valid from.")
    def valid_from(self) -> date | None:
        return self.row.valid_from

    @guarded(OnStructure(ORGANISATION.consultation, service_attr="service_id"), description="Valid until.")
    def valid_until(self) -> date | None:
        return self.row.valid_until

    @guarded(
        OnStructure(ORGANISATION.consultation, service_attr="service_id"),
        description="Invoices to this service must carry a legal commitment number.",
    )
    def commitment_number_required(self) -> bool | None:
        return self.row.commitment_number_required

    @guarded(OnStructure(ORGANISATION.consultation, service_attr="service_id"), description="Postal address.")
    def address(self) -> Address | None:
        return Address.from_row(self.row)

    @guarded(
        OnStructure(ORGANISATION.consultation, service_attr="service_id"),
        description="Optimistic-locking version: send it back with updateService.",
    )
    def version(self) -> int | None:
        return self.row.version

    @classmethod
    def from_row(cls, row: Any) -> ServiceType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> ServiceType | None:
        row = await models.Service.get_or_none(id=pk)
        if row is None or await directory.visible_structure(await info.context.grants(), row.structure_id) is None:
            return None
        return cls.from_row(row)


@strawberry.type
class StructureQuery:
    @strawberry.field(description="A structure by id, or by identifier type and identifier.")
    async def structure(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        identifier_type: IdentifierType | None = None,
        identifier: str | None = None,
    ) -> StructureType | None:
        require_viewer(info)
        grants = await info.context.grants()
        if id is not None:
            row = await directory.visible_structure(grants, decode_id(id, "Structure", ["id"]))
        elif identifier_type is not None and identifier:
            row = await models.Structure.filter(
                directory.directory_filter(grants), identifier_type=identifier_type, identifier=identifier.strip()
            ).first()
        else:
            from backend.services.errors import Required

            raise Required("Donnez l'identifiant de la structure, ou son type d'identifiant et son identifiant.")
        if row is None:
            from backend.schema.node import NOT_VISIBLE
            from backend.services.errors import Forbidden

            raise Forbidden(NOT_VISIBLE)
        return StructureType.from_row(row)

    @strawberry.field(
        description="Directory search: identifier, name, label, postal code or city. `mine` restricts to the "
        "viewer's structures."
    )
    async def structures(
        self,
        info: Info,
        search: str | None = None,
        kind: StructureKind | None = None,
        status: ActivityStatus | None = None,
        mine: bool | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[StructureType]:
        require_viewer(info)
        grants = await info.context.grants()
        query = directory.search_structures(grants, search=search, kind=kind, status=status, mine=bool(mine))
        return await paginate(query, first=first, after=after, default=20, to_node=StructureType.from_row)
