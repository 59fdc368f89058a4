"""Structures and services: the public directory, and what Organisation consultation shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.dataloader import DataLoader
from tortoise.expressions import Q

from backend import models
from backend.auth.grants import ORGANISATION, Grants
from backend.schema.audit import StructureAuditEvents
from backend.schema.bank_accounts import StructureBankFields
from backend.schema.context import Info
from backend.schema.enums import (
    ActivityStatus,
    IdentifierType,
    MembershipStatus,
    StructureKind,
    describe_values,
)
from backend.schema.errors import UserError
from backend.schema.mutations import mutation
from backend.schema.node import decode_id, register_node, require_viewer
from backend.schema.pagination import After, Connection, First, build_connection, paginate, window
from backend.schema.payloads import ERRORS_DESCRIPTION, attempt
from backend.schema.permissions import OnStructure, Predicate, Public, guarded
from backend.schema.reference import ProfileType
from backend.services import directory, structure_services, structures
from backend.services.structures import UNCHANGED
from backend.sirene.register import SireneRegister
from backend.validation import AddressValue
from backend.validation.identifiers import validate_siret

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
class StructureType(StructureAuditEvents, StructureBankFields, relay.Node):
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

    @guarded(
        Predicate(
            "can_see_staff",
            "Organisation consultation on the structure, or a support agent (who appoints managers)",
        ),
        description="The principal manager (gestionnaire principal), if any.",
    )
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
        info: Info,
        first: First = None,
        after: After = None,
        status: Annotated[
            ActivityStatus | None,
            strawberry.argument(description="Only the services in this status (all by default)."),
        ] = None,
        search: Annotated[
            str | None, strawberry.argument(description="Words of the code or the name.")
        ] = None,
    ) -> Connection[ServiceType] | None:
        offset, limit = window(first, after, default=20)
        term = search.strip() if search and search.strip() else None
        rows = await _services_loader(info).load((self.row.id, status, term))
        page = rows[offset : offset + limit] if limit else []
        return build_connection(page, len(rows), offset, ServiceType.from_row)

    @guarded(
        Predicate(
            "can_list_members",
            "Organisation consultation on the structure (or on a service: its members), or a support agent",
        ),
        description="Users attached to the structure, by last name then first name. Without `status`, ACTIVE "
        "memberships only.",
    )
    async def members(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        search: Annotated[
            str | None, strawberry.argument(description="Words of the last name, first name or email.")
        ] = None,
        service_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the users attached to this service.")
        ] = None,
        status: Annotated[
            MembershipStatus | None,
            strawberry.argument(description="Only the memberships in this status (ACTIVE by default)."),
        ] = None,
    ) -> Connection[MembershipRef] | None:
        from backend.schema.memberships import MembershipType

        grants = await info.context.grants()
        service_pk = decode_id(service_id, "Service", ["serviceId"]) if service_id else None
        query = directory.members_of(grants, self.row.id, search=search, service_id=service_pk, status=status)
        return await paginate(query, first=first, after=after, default=20, to_node=MembershipType.from_row)

    def can_list_members(self, grants: Grants) -> bool:
        return grants.sees_every_member or grants.has_somewhere_in(ORGANISATION.consultation, self.row.id)

    def can_see_staff(self, grants: Grants) -> bool:
        return grants.sees_every_member or grants.has(ORGANISATION.consultation, self.row.id)

    @guarded(PUBLIC_DIRECTORY, description="When the structure was created.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @guarded(PUBLIC_DIRECTORY, description="When the structure last changed.")
    def updated_at(self) -> datetime:
        return self.row.updated_at

    @guarded(
        PUBLIC_DIRECTORY, description="The viewer's own profiles on this structure (empty when not attached)."
    )
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
        if (
            row is None
            or await directory.visible_structure(await info.context.grants(), row.structure_id) is None
        ):
            return None
        return cls.from_row(row)


def _services_loader(info: Info) -> DataLoader[tuple[int, Any, str | None], list[Any]]:
    """Services of many structures at once (one query per distinct filter), so that a page of
    structures listing their services costs the same for 5 rows and for 50."""
    loaders = info.context.loaders
    loader = getattr(loaders, "_structure_services", None)
    if loader is None:

        async def load(keys: Sequence[tuple[int, Any, str | None]]) -> list[list[Any]]:
            by_filter: dict[tuple[Any, str | None], set[int]] = defaultdict(set)
            for structure_id, status, term in keys:
                by_filter[(status, term)].add(structure_id)
            found: dict[tuple[int, Any, str | None], list[Any]] = defaultdict(list)
            for (status, term), structure_ids in by_filter.items():
                query = models.Service.filter(structure_id__in=sorted(structure_ids))
                if status is not None:
                    query = query.filter(status=status)
                if term:
                    query = query.filter(Q(code__icontains=term) | Q(name__icontains=term))
                for row in await query.order_by("code", "id"):
                    found[(row.structure_id, status, term)].append(row)
            return [found.get(key, []) for key in keys]

        loader = DataLoader(load_fn=load)
        loaders._structure_services = loader  # type: ignore[attr-defined]
    return loader


@strawberry.type(name="SireneEstablishment", description="An establishment of the national SIRENE register.")
class SireneEstablishmentType:
    row: strawberry.Private[Any]

    @strawberry.field(description="SIRET (14 digits).")
    def siret(self) -> str:
        return self.row.siret

    @strawberry.field(description="SIREN of its legal unit (the first 9 digits).")
    def siren(self) -> str:
        return self.row.siren

    @strawberry.field(description="Company name as the register knows it (empty when not diffused).")
    def name(self) -> str:
        return self.row.name

    @strawberry.field(description="False when the register marks the establishment closed (fermé).")
    def is_active(self) -> bool:
        return bool(self.row.is_active)

    @strawberry.field(
        description="False when INSEE does not diffuse the establishment (then create the structure with "
        "the non-diffusible INSEE option)."
    )
    def is_diffusible(self) -> bool:
        return bool(self.row.is_diffusible)

    @strawberry.field(description="Postal address; null when the register does not diffuse it.")
    def address(self) -> Address | None:
        if not self.row.address_line1 and not self.row.city:
            return None
        return Address(
            line1=self.row.address_line1 or "",
            line2=self.row.address_line2,
            line3=None,
            postal_code=self.row.postal_code or "",
            city=self.row.city or "",
            country=self.row.country or "FR",
        )

    @strawberry.field(description="When INSEE last processed the establishment.")
    def updated_at(self) -> datetime | None:
        return self.row.updated_at


def sirene_register(info: Info) -> SireneRegister:
    return SireneRegister.from_settings(info.context.settings)


@strawberry.type
class StructureQuery:
    @strawberry.field(description="A structure by id, or by identifier type and identifier.")
    async def structure(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The global ID (or give identifierType and identifier)."),
        ] = None,
        identifier_type: Annotated[
            IdentifierType | None,
            strawberry.argument(description="The kind of identifier, with `identifier`."),
        ] = None,
        identifier: Annotated[
            str | None,
            strawberry.argument(description="The identifier, e.g. a SIRET, with `identifierType`."),
        ] = None,
    ) -> StructureType | None:
        require_viewer(info)
        grants = await info.context.grants()
        if id is not None:
            row = await directory.visible_structure(grants, decode_id(id, "Structure", ["id"]))
        elif identifier_type is not None and identifier:
            row = await models.Structure.filter(
                directory.directory_filter(grants),
                identifier_type=identifier_type,
                identifier=identifier.strip(),
            ).first()
        else:
            from backend.services.errors import Required

            raise Required(
                "Donnez l'identifiant de la structure, ou son type d'identifiant et son identifiant."
            )
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
        search: Annotated[
            str | None,
            strawberry.argument(description="Words of the identifier, name, label, postal code or city."),
        ] = None,
        kind: Annotated[
            StructureKind | None, strawberry.argument(description="Only private or only public structures.")
        ] = None,
        status: Annotated[
            ActivityStatus | None,
            strawberry.argument(description="Only the structures in this status (all by default)."),
        ] = None,
        mine: Annotated[
            bool | None,
            strawberry.argument(description="True: only the structures the viewer is attached to."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[StructureType]:
        require_viewer(info)
        grants = await info.context.grants()
        query = directory.search_structures(grants, search=search, kind=kind, status=status, mine=bool(mine))
        return await paginate(
            query,
            first=first,
            after=after,
            default=20,
            to_node=StructureType.from_row,
            count_in_page=directory.searches(search),
        )

    @strawberry.field(
        description="An establishment of the SIRENE register by SIRET (null when the register does not know "
        "it), to check a SIRET and pre-fill a structure. Signed-in users."
    )
    async def sirene_establishment(
        self, info: Info, siret: Annotated[str, strawberry.argument(description="14 digits.")]
    ) -> SireneEstablishmentType | None:
        require_viewer(info)
        row = await sirene_register(info).find(validate_siret(siret, ["siret"]))
        return SireneEstablishmentType(row=row) if row is not None else None


# ---------------------------------------------------------------------------------------- mutations


def _unset_to_unchanged(value: Any) -> Any:
    return UNCHANGED if value is strawberry.UNSET else value


@strawberry.input(description="A postal address.")
class AddressInput:
    line1: str = strawberry.field(description="Street address.")
    line2: str | None = strawberry.field(default=None, description="Address complement.")
    line3: str | None = strawberry.field(default=None, description="Second address complement.")
    postal_code: str = strawberry.field(description="Postal code (5 digits in France).")
    city: str = strawberry.field(description="City.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2, e.g. FR.")

    def to_value(self) -> AddressValue:
        return AddressValue(
            line1=self.line1,
            line2=self.line2,
            line3=self.line3,
            postal_code=self.postal_code,
            city=self.city,
            country=self.country,
        )


def _address(value: AddressInput | None) -> AddressValue | None:
    return value.to_value() if value is not None else None


@strawberry.input(description="Options of a structure; an option left out keeps its value (or default).")
class StructureOptionsInput:
    receives_lifecycle_edi: bool | None = strawberry.field(
        default=None, description="Receives life-cycle statuses in EDI."
    )
    is_edi_sender: bool | None = strawberry.field(default=None, description="Is an EDI flow sender.")
    active_connection_request: bool | None = strawberry.field(
        default=None, description="Has an active connection request."
    )
    service_code_required: bool | None = strawberry.field(
        default=None, description="Invoices must name a service code."
    )
    commitment_number_required: bool | None = strawberry.field(
        default=None, description="Invoices must carry a legal commitment (EJ) number."
    )
    non_diffusible_insee: bool | None = strawberry.field(
        default=None, description="Marked non-diffusible by INSEE (default: as the SIRENE register says)."
    )

    def to_value(self) -> structures.OptionsValue:
        return structures.OptionsValue(
            receives_lifecycle_edi=self.receives_lifecycle_edi,
            is_edi_sender=self.is_edi_sender,
            active_connection_request=self.active_connection_request,
            service_code_required=self.service_code_required,
            commitment_number_required=self.commitment_number_required,
            non_diffusible_insee=self.non_diffusible_insee,
        )


@strawberry.input(description="A new structure (« Créer une structure »).")
class CreateStructureInput:
    identifier_type: IdentifierType = strawberry.field(description="How the structure is identified.")
    identifier: str | None = strawberry.field(
        default=None,
        description="SIRET or other identifier; left out for PARTICULIER (the portal assigns one).",
    )
    name: str | None = strawberry.field(
        default=None, description="Company name (raison sociale); left out: the SIRENE register's (SIRET)."
    )
    label: str | None = strawberry.field(default=None, description="Label (libellé).")
    kind: StructureKind | None = strawberry.field(
        default=None, description="PRIVATE by default; PUBLIC: platform administrators only."
    )
    email: str | None = strawberry.field(default=None, description="Contact email.")
    phone: str | None = strawberry.field(default=None, description="Contact phone.")
    address: AddressInput | None = strawberry.field(
        default=None, description="Postal address; left out: the SIRENE register's (SIRET)."
    )
    options: StructureOptionsInput | None = strawberry.field(default=None, description="Options.")
    legal_fees_provider_category: str | None = strawberry.field(
        default=None, description="Legal-fees provider category (mémoires de frais de justice)."
    )

    def to_value(self) -> structures.NewStructure:
        return structures.NewStructure(
            identifier_type=models.IdentifierType(self.identifier_type),
            identifier=self.identifier,
            name=self.name,
            label=self.label,
            kind=models.StructureKind(self.kind or models.StructureKind.PRIVATE),
            email=self.email,
            phone=self.phone,
            address=_address(self.address),
            options=self.options.to_value() if self.options else structures.OptionsValue(),
            legal_fees_provider_category=self.legal_fees_provider_category,
        )


@strawberry.input(
    description="The editable fields of a structure (identifier, type, kind, status and principal manager are "
    "not). A field left out keeps its value; null clears an optional one."
)
class UpdateStructureInput:
    label: str | None = strawberry.field(default=strawberry.UNSET, description="Label (libellé).")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="Contact email.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Contact phone.")
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Company name (raison sociale)."
    )
    address: AddressInput | None = strawberry.field(default=strawberry.UNSET, description="Postal address.")
    options: StructureOptionsInput | None = strawberry.field(
        default=strawberry.UNSET, description="Options; those left out keep their value."
    )
    legal_fees_provider_category: str | None = strawberry.field(
        default=strawberry.UNSET, description="Legal-fees provider category."
    )

    def to_changes(self) -> structures.StructureChanges:
        address = _unset_to_unchanged(self.address)
        options = _unset_to_unchanged(self.options)
        return structures.StructureChanges(
            name=_unset_to_unchanged(self.name),
            label=_unset_to_unchanged(self.label),
            email=_unset_to_unchanged(self.email),
            phone=_unset_to_unchanged(self.phone),
            address=address.to_value() if isinstance(address, AddressInput) else address,
            options=options.to_value() if isinstance(options, StructureOptionsInput) else options,
            legal_fees_provider_category=_unset_to_unchanged(self.legal_fees_provider_category),
        )


@strawberry.type(description="The answer of a structure mutation.")
class StructurePayload:
    structure: StructureType | None = strawberry.field(
        default=None, description="The structure as it is now; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.input(description="Duplicate a structure under a new SIRET (« Dupliquer une structure »).")
class DuplicateStructureInput:
    structure_id: strawberry.ID = strawberry.field(description="The active SIRET structure to duplicate.")
    new_siret: str = strawberry.field(description="The new SIRET, checked against SIRENE as at creation.")
    name: str | None = strawberry.field(
        default=None, description="New company name; left out: the register's, else the origin's."
    )
    label: str | None = strawberry.field(default=None, description="New label; left out: the origin's.")
    email: str | None = strawberry.field(default=None, description="Contact email; left out: the origin's.")
    phone: str | None = strawberry.field(default=None, description="Contact phone; left out: the origin's.")
    address: AddressInput | None = strawberry.field(
        default=None, description="Postal address; left out: the register's, else the origin's."
    )
    non_diffusible_insee: bool | None = strawberry.field(
        default=None, description="Non-diffusible INSEE; left out: as the register says."
    )


@strawberry.type(description="The answer of duplicateStructure.")
class DuplicateStructurePayload:
    structure: StructureType | None = strawberry.field(
        default=None, description="The new structure; null on failure."
    )
    origin: StructureType | None = strawberry.field(
        default=None, description="The structure it was duplicated from, now inactive."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


TransferMode = strawberry.enum(
    structures.TransferMode,
    name="TransferMode",
    description="UNIT: one structure; MULTIPLE: a chosen set; GLOBAL: every structure of the manager.",
)
describe_values(
    TransferMode,
    UNIT="Exactly one structure.",
    GLOBAL="Every structure managed by the viewer (or by `fromUserId`).",
    MULTIPLE="The structures listed in `structureIds`.",
)


@strawberry.input(
    description="UNIT: exactly one id in structureIds; MULTIPLE: one or more; GLOBAL: structureIds left out, "
    "every structure managed by the viewer (or by fromUserId, for administrators and support agents)."
)
class TransferPrincipalManagerInput:
    mode: TransferMode = strawberry.field(description="Unit, multiple or global transfer.")
    structure_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The structures (UNIT, MULTIPLE)."
    )
    new_manager_id: strawberry.ID = strawberry.field(
        description="The new principal manager: a user attached to each structure at structure level."
    )
    from_user_id: strawberry.ID | None = strawberry.field(
        default=None, description="The current manager (administrators and support agents)."
    )


@strawberry.type(description="The answer of transferPrincipalManager.")
class TransferPrincipalManagerPayload:
    structures: list[StructureType] = strawberry.field(
        default_factory=list, description="The structures transferred; empty on failure."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.input(description="A new service of a structure (« Créer un service »).")
class CreateServiceInput:
    structure_id: strawberry.ID = strawberry.field(description="The structure.")
    code: str = strawberry.field(description="Code, unique within the structure.")
    name: str = strawberry.field(description="Name.")
    description: str | None = strawberry.field(default=None, description="Description.")
    valid_from: date | None = strawberry.field(default=None, description="Valid from.")
    valid_until: date | None = strawberry.field(
        default=None, description="Valid until (not before validFrom)."
    )
    commitment_number_required: bool | None = strawberry.field(
        default=None, description="Invoices to this service must carry a legal commitment number."
    )
    address: AddressInput | None = strawberry.field(default=None, description="Postal address.")


@strawberry.input(
    description="The editable fields of a service (not its code). A field left out keeps its value; null "
    "clears an optional one."
)
class UpdateServiceInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Name.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="Description.")
    valid_from: date | None = strawberry.field(default=strawberry.UNSET, description="Valid from.")
    valid_until: date | None = strawberry.field(default=strawberry.UNSET, description="Valid until.")
    commitment_number_required: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Invoices must carry a legal commitment number."
    )
    address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="Postal address; null removes it."
    )

    def to_changes(self) -> structure_services.ServiceChanges:
        address = _unset_to_unchanged(self.address)
        return structure_services.ServiceChanges(
            name=_unset_to_unchanged(self.name),
            description=_unset_to_unchanged(self.description),
            valid_from=_unset_to_unchanged(self.valid_from),
            valid_until=_unset_to_unchanged(self.valid_until),
            commitment_number_required=_unset_to_unchanged(self.commitment_number_required),
            address=address.to_value() if isinstance(address, AddressInput) else address,
        )


@strawberry.type(description="The answer of a service mutation.")
class ServicePayload:
    service: ServiceType | None = strawberry.field(
        default=None, description="The service as it is now; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


StructureId = Annotated[strawberry.ID, strawberry.argument(description="The structure's global ID.")]
ServiceId = Annotated[strawberry.ID, strawberry.argument(description="The service's global ID.")]
Version = Annotated[int, strawberry.argument(description="The version read; a stale one gets CONFLICT.")]


async def _structure_payload(work: Any) -> StructurePayload:
    row, errors = await attempt(work)
    return StructurePayload(structure=StructureType.from_row(row) if row else None, errors=errors)


async def _service_payload(work: Any) -> ServicePayload:
    row, errors = await attempt(work)
    return ServicePayload(service=ServiceType.from_row(row) if row else None, errors=errors)


@strawberry.type
class StructureMutation:
    @mutation(
        requires=structures.CREATE_STRUCTURE,
        description="Create a structure; the creator becomes its principal manager, with every profile at "
        "modification level (a structure created by a platform administrator has no manager until one is "
        "appointed). A SIRET must be valid, new to the portal, known and active in SIRENE; name and address "
        "left out come from the register. PUBLIC: platform administrators only.",
    )
    async def create_structure(
        self,
        info: Info,
        input: Annotated[CreateStructureInput, strawberry.argument(description="The structure.")],
    ) -> StructurePayload:
        return await _structure_payload(
            structures.create_structure(info.context.viewer, input.to_value(), register=sirene_register(info))
        )

    @mutation(
        requires=structures.UPDATE_STRUCTURE,
        description="Modify the editable fields of a structure (optimistic locking: send the version read).",
    )
    async def update_structure(
        self,
        info: Info,
        id: StructureId,
        version: Version,
        input: Annotated[UpdateStructureInput, strawberry.argument(description="The fields to change.")],
    ) -> StructurePayload:
        async def work() -> Any:
            pk = decode_id(id, "Structure", ["id"])
            return await structures.update_structure(info.context.viewer, pk, version, input.to_changes())

        return await _structure_payload(work())

    @mutation(
        requires=structures.ACTIVATE_STRUCTURE,
        description="Activate a structure; a SIRET structure is re-checked in SIRENE (closed: SIRENE_CLOSED).",
    )
    async def activate_structure(self, info: Info, id: StructureId) -> StructurePayload:
        async def work() -> Any:
            pk = decode_id(id, "Structure", ["id"])
            return await structures.activate_structure(
                info.context.viewer, pk, register=sirene_register(info)
            )

        return await _structure_payload(work())

    @mutation(
        requires=structures.DEACTIVATE_STRUCTURE,
        description="Deactivate a structure: it can no longer send or receive invoices nor tickets.",
    )
    async def deactivate_structure(self, info: Info, id: StructureId) -> StructurePayload:
        async def work() -> Any:
            return await structures.deactivate_structure(
                info.context.viewer, decode_id(id, "Structure", ["id"])
            )

        return await _structure_payload(work())

    @mutation(
        requires=structures.REFRESH_STRUCTURE,
        description="Update a SIRET structure's company name, address and diffusion from the SIRENE register.",
    )
    async def refresh_structure_from_sirene(self, info: Info, id: StructureId) -> StructurePayload:
        async def work() -> Any:
            pk = decode_id(id, "Structure", ["id"])
            return await structures.refresh_structure_from_sirene(
                info.context.viewer, pk, register=sirene_register(info)
            )

        return await _structure_payload(work())

    @mutation(
        requires=structures.DUPLICATE_STRUCTURE,
        description="Create a structure from an active SIRET structure whose SIRET changes; the origin is "
        "deactivated. Copied: kind, options other than EDI, legal-fees category, services, active memberships "
        "with their habilitations, the principal manager, bank details (inactive, to be re-checked). Not "
        "copied: EDI options, documents.",
    )
    async def duplicate_structure(
        self,
        info: Info,
        input: Annotated[DuplicateStructureInput, strawberry.argument(description="The duplication.")],
    ) -> DuplicateStructurePayload:
        async def work() -> Any:
            duplication = structures.Duplication(
                structure_id=decode_id(input.structure_id, "Structure", ["input", "structureId"]),
                new_siret=input.new_siret,
                name=input.name,
                label=input.label,
                email=input.email,
                phone=input.phone,
                address=_address(input.address),
                non_diffusible_insee=input.non_diffusible_insee,
            )
            return await structures.duplicate_structure(
                info.context.viewer, duplication, register=sirene_register(info)
            )

        result, errors = await attempt(work())
        if result is None:
            return DuplicateStructurePayload(errors=errors)
        duplicate, origin = result
        return DuplicateStructurePayload(
            structure=StructureType.from_row(duplicate), origin=StructureType.from_row(origin), errors=[]
        )

    @mutation(
        requires=structures.TRANSFER_PRINCIPAL_MANAGER,
        description="Hand the principal manager role to a user attached at structure level to each structure; "
        "all or nothing. The new manager gets Organisation modification, the former one keeps their "
        "membership with Organisation consultation.",
    )
    async def transfer_principal_manager(
        self,
        info: Info,
        input: Annotated[TransferPrincipalManagerInput, strawberry.argument(description="The transfer.")],
    ) -> TransferPrincipalManagerPayload:
        async def work() -> Any:
            ids = [
                decode_id(value, "Structure", ["input", "structureIds", str(position)])
                for position, value in enumerate(input.structure_ids or [])
            ]
            transfer = structures.Transfer(
                mode=structures.TransferMode(input.mode),
                structure_ids=ids,
                new_manager_id=decode_id(input.new_manager_id, "User", ["input", "newManagerId"]),
                from_user_id=decode_id(input.from_user_id, "User", ["input", "fromUserId"])
                if input.from_user_id
                else None,
            )
            return await structures.transfer_principal_manager(info.context.viewer, transfer)

        rows, errors = await attempt(work())
        return TransferPrincipalManagerPayload(
            structures=[StructureType.from_row(row) for row in rows or []], errors=errors
        )

    @mutation(
        requires=structure_services.CREATE_SERVICE,
        description="Create a service of a structure; its code is unique within the structure.",
    )
    async def create_service(
        self,
        info: Info,
        input: Annotated[CreateServiceInput, strawberry.argument(description="The service.")],
    ) -> ServicePayload:
        async def work() -> Any:
            new = structure_services.NewService(
                structure_id=decode_id(input.structure_id, "Structure", ["input", "structureId"]),
                code=input.code,
                name=input.name,
                description=input.description,
                valid_from=input.valid_from,
                valid_until=input.valid_until,
                commitment_number_required=input.commitment_number_required,
                address=_address(input.address),
            )
            return await structure_services.create_service(info.context.viewer, new)

        return await _service_payload(work())

    @mutation(
        requires=structure_services.UPDATE_SERVICE,
        description="Modify a service (optimistic locking: send the version read).",
    )
    async def update_service(
        self,
        info: Info,
        id: ServiceId,
        version: Version,
        input: Annotated[UpdateServiceInput, strawberry.argument(description="The fields to change.")],
    ) -> ServicePayload:
        async def work() -> Any:
            pk = decode_id(id, "Service", ["id"])
            return await structure_services.update_service(
                info.context.viewer, pk, version, input.to_changes()
            )

        return await _service_payload(work())

    @mutation(requires=structure_services.ACTIVATE_SERVICE, description="Activate a service.")
    async def activate_service(self, info: Info, id: ServiceId) -> ServicePayload:
        async def work() -> Any:
            return await structure_services.activate_service(
                info.context.viewer, decode_id(id, "Service", ["id"])
            )

        return await _service_payload(work())

    @mutation(requires=structure_services.DEACTIVATE_SERVICE, description="Deactivate a service.")
    async def deactivate_service(self, info: Info, id: ServiceId) -> ServicePayload:
        async def work() -> Any:
            pk = decode_id(id, "Service", ["id"])
            return await structure_services.deactivate_service(info.context.viewer, pk)

        return await _service_payload(work())
