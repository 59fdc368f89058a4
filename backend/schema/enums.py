"""The model enumerations as GraphQL enums (values in English, as in the contract)."""

from __future__ import annotations

from enum import Enum
from typing import Any

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


def describe_values(enum: Any, **descriptions: str) -> None:
    """Describes every value of a GraphQL enum built from a model enum (whose members stay plain
    strings for the database); a value left out, or one that does not exist, is a mistake."""
    definition = enum.__strawberry_definition__
    names = {value.name for value in definition.values}
    if set(descriptions) != names:
        raise ValueError(f"{definition.name}: describe exactly {sorted(names)}, not {sorted(descriptions)}")
    for value in definition.values:
        value.description = descriptions[value.name]


describe_values(
    Domain,
    MARCHE="Marché: public procurement.",
    COMMANDE="Commande: purchase orders.",
    FACTURATION="Facturation: invoices, issued and received.",
    ORGANISATION="Organisation: structures, services, users and habilitations.",
    RACCORDEMENTS="Raccordements: connections of information systems (EDI, API).",
    OUTILS="Outils: tools and settings.",
    SUPPORT="Support: tickets (sollicitations).",
)
describe_values(
    AccessLevel,
    CONSULTATION="Consultation: read only.",
    MODIFICATION="Modification: read and write.",
)
describe_values(
    TicketObjectType,
    FACTURE="An invoice.",
    DEMANDE_REMBOURSEMENT="A refund request (demande de remboursement).",
    MEMOIRE="A legal-fees statement (mémoire de frais de justice).",
)
describe_values(
    IdentifierType,
    SIRET="French establishment number: 14 digits, checked against the SIRENE register.",
    UE_HORS_FRANCE="A company of another member state of the European Union (VAT number).",
    HORS_UE="A company outside the European Union.",
    RIDET="New Caledonia's register (RIDET number).",
    TAHITI="French Polynesia's register (numéro TAHITI).",
    PARTICULIER="A private individual; never listed in the public directory.",
    AUTRE="Any other identifier.",
)
describe_values(
    StructureKind,
    PRIVATE="A supplier (entreprise, fournisseur).",
    PUBLIC="A public entity (entité publique); created by administrators only.",
)
describe_values(
    ActivityStatus,
    ACTIVE="In use.",
    INACTIVE="Deactivated; kept for history, may be reactivated.",
)
describe_values(
    MembershipStatus,
    PENDING="The user asked to be attached; the request awaits approval.",
    ACTIVE="Attached.",
    REFUSED="The attachment request was refused.",
    DETACHED="Was attached, and was detached.",
)
describe_values(
    ApprovalKind,
    ATTACHMENT="A request to be attached to a structure or one of its services.",
    HABILITATION_CHANGE="A request to add or remove profiles.",
)
describe_values(
    ApprovalState,
    REQUESTED="Waiting for a decision.",
    APPROVED="Approved: what was asked for is done.",
    REFUSED="Refused, with a reason.",
    CANCELLED="Withdrawn by the requester.",
)
