"""The model enumerations as GraphQL enums (values in English, as in the contract)."""

from __future__ import annotations

from enum import Enum

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


@strawberry.enum(name="SortDirection", description="Ascending or descending order of a sorted list.")
class SortDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Ascending.")
    DESC = strawberry.enum_value("DESC", description="Descending.")


ApprovalKind = strawberry.enum(
    models.ApprovalKind,
    name="ApprovalKind",
    description="ATTACHMENT (request to join a structure or service) or HABILITATION_CHANGE (profiles to add or remove).",
)
ApprovalState = strawberry.enum(
    models.ApprovalState,
    name="ApprovalState",
    description="REQUESTED (waiting for a decision), APPROVED, REFUSED, CANCELLED (withdrawn by the requester).",
)
