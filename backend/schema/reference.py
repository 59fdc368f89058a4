"""Reference data: applications, profiles, ticket categories (public, even anonymous)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from backend import models
from backend.schema.context import Info
from backend.schema.enums import AccessLevel, Domain, TicketObjectType
from backend.schema.node import register_node


@register_node
@strawberry.type(name="Application", description="A functional area of the portal, held through profiles.")
class ApplicationType(relay.Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description='Stable code, e.g. "FACTURES_EMISES".')
    name: str = strawberry.field(description='Label, e.g. "Factures émises".')
    domain: Domain = strawberry.field(description="The domain the application belongs to.")

    @classmethod
    def from_row(cls, row: Any) -> ApplicationType:
        return cls(id=row.id, code=row.code, name=row.name, domain=row.domain)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> ApplicationType | None:
        row = await info.context.loaders.by_id(models.Application).load(pk)
        return cls.from_row(row) if row else None


@register_node
@strawberry.type(name="Profile", description="An application at an access level, granted by a habilitation.")
class ProfileType(relay.Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description='Stable code, e.g. "FACTURES_EMISES_CONSULTATION".')
    name: str = strawberry.field(description='Label, e.g. "Factures émises consultation".')
    level: AccessLevel = strawberry.field(description="Consultation or modification.")
    application: ApplicationType = strawberry.field(
        description="The application this profile gives access to."
    )

    @classmethod
    def from_row(cls, row: Any) -> ProfileType:
        """``row`` comes with its application (``select_related``; ``Loaders.by_id`` does it)."""
        return cls(
            id=row.id,
            code=row.code,
            name=row.name,
            level=row.level,
            application=ApplicationType.from_row(row.__dict__["_application"]),
        )

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> ProfileType | None:
        row = await info.context.loaders.by_id(models.Profile).load(pk)
        return cls.from_row(row) if row else None


@register_node
@strawberry.type(name="TicketSubcategory", description="A sub-category of support ticket.")
class TicketSubcategoryType(relay.Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description="Stable code.")
    name: str = strawberry.field(
        description='As shown, e.g. "M - Question pour le destinataire de ma facture".'
    )
    is_business: bool = strawberry.field(
        description='True for "M - " sub-categories: the ticket goes to a recipient structure, not to support.'
    )
    requires_object: bool = strawberry.field(
        description="True when the ticket must name the object (type and number) it is about."
    )
    object_types: list[TicketObjectType] = strawberry.field(
        description="The object types this sub-category accepts (empty when it concerns no object)."
    )
    category_id: strawberry.Private[int]

    @strawberry.field(description="The category this sub-category belongs to.")
    async def category(self, info: Info) -> TicketCategoryType:
        row = await info.context.loaders.by_id(models.TicketCategory).load(self.category_id)
        return TicketCategoryType.from_row(row)

    @classmethod
    def from_row(cls, row: Any) -> TicketSubcategoryType:
        return cls(
            id=row.id,
            code=row.code,
            name=row.name,
            is_business=row.is_business,
            requires_object=row.requires_object,
            object_types=[models.TicketObjectType(v) for v in row.object_types or []],
            category_id=row.category_id,
        )

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> TicketSubcategoryType | None:
        row = await info.context.loaders.by_id(models.TicketSubcategory).load(pk)
        return cls.from_row(row) if row else None


@register_node
@strawberry.type(name="TicketCategory", description="A category of support ticket.")
class TicketCategoryType(relay.Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description="Stable code.")
    name: str = strawberry.field(description='Label, e.g. "Organisation".')

    @strawberry.field(description="Its sub-categories, in display order.")
    async def subcategories(self, info: Info) -> list[TicketSubcategoryType]:
        rows = await info.context.loaders.children(
            models.TicketSubcategory, "category_id", order_by=("position", "id")
        ).load(self.id)
        return [TicketSubcategoryType.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Any) -> TicketCategoryType:
        return cls(id=row.id, code=row.code, name=row.name)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> TicketCategoryType | None:
        row = await info.context.loaders.by_id(models.TicketCategory).load(pk)
        return cls.from_row(row) if row else None


@strawberry.type
class ReferenceQuery:
    @strawberry.field(description="Every application, grouped by domain in display order. Public.")
    async def applications(self) -> list[ApplicationType]:
        rows = await models.Application.all().order_by("position", "id")
        return [ApplicationType.from_row(row) for row in rows]

    @strawberry.field(description="Every profile (application × level), in display order. Public.")
    async def profiles(self) -> list[ProfileType]:
        rows = (
            await models.Profile.all()
            .select_related("application")
            .order_by("application__position", "level", "id")
        )
        return [ProfileType.from_row(row) for row in rows]

    @strawberry.field(description="Ticket categories with their sub-categories, in display order. Public.")
    async def ticket_categories(self) -> list[TicketCategoryType]:
        rows = await models.TicketCategory.all().order_by("position", "id")
        return [TicketCategoryType.from_row(row) for row in rows]
