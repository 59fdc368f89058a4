"""The model enumerations as GraphQL enums (values in English, as in the contract)."""

from __future__ import annotations

import strawberry

from backend import models

Domain = strawberry.enum(models.Domain, name="Domain", description="Functional domains of the portal.")
AccessLevel = strawberry.enum(
    models.AccessLevel,
    name="AccessLevel",
    description="Consultation reads; modification reads and writes (it implies consultation).",
)
TicketObjectType = strawberry.enum(
    models.TicketObjectType,
    name="TicketObjectType",
    description="Kinds of object a ticket may concern: invoice, refund request, legal-fees statement.",
)
IdentifierType = strawberry.enum(
    models.IdentifierType,
    name="IdentifierType",
    description="How a structure is identified: SIRET in France, other registers elsewhere.",
)
StructureKind = strawberry.enum(
    models.StructureKind, name="StructureKind", description="PRIVATE (supplier) or PUBLIC (public entity)."
)
ActivityStatus = strawberry.enum(
    models.ActivityStatus, name="ActivityStatus", description="ACTIVE or INACTIVE (deactivated)."
)
MembershipStatus = strawberry.enum(
    models.MembershipStatus,
    name="MembershipStatus",
    description="PENDING (request awaiting approval), ACTIVE, REFUSED, DETACHED.",
)
