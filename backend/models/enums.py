"""String enumerations stored by the models (``StrEnum``: ``str`` and ``Enum``).

Values are the API's enum values (English, upper case, see
``contract/schema.graphql``); the database stores the value as text.
"""

from __future__ import annotations

from enum import StrEnum


class AccountStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    LOCKED = "LOCKED"


class OneTimeTokenKind(StrEnum):
    VERIFY_EMAIL = "VERIFY_EMAIL"
    RESET_PASSWORD = "RESET_PASSWORD"
    INVITATION = "INVITATION"
    EMAIL_CODE = "EMAIL_CODE"


class Domain(StrEnum):
    MARCHE = "MARCHE"
    COMMANDE = "COMMANDE"
    FACTURATION = "FACTURATION"
    ORGANISATION = "ORGANISATION"
    RACCORDEMENTS = "RACCORDEMENTS"
    OUTILS = "OUTILS"
    SUPPORT = "SUPPORT"


class AccessLevel(StrEnum):
    CONSULTATION = "CONSULTATION"
    MODIFICATION = "MODIFICATION"


class IdentifierType(StrEnum):
    SIRET = "SIRET"
    UE_HORS_FRANCE = "UE_HORS_FRANCE"
    HORS_UE = "HORS_UE"
    RIDET = "RIDET"
    TAHITI = "TAHITI"
    PARTICULIER = "PARTICULIER"
    AUTRE = "AUTRE"


class StructureKind(StrEnum):
    PRIVATE = "PRIVATE"
    PUBLIC = "PUBLIC"


class ActivityStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class MembershipStatus(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    REFUSED = "REFUSED"
    DETACHED = "DETACHED"


class ApprovalKind(StrEnum):
    ATTACHMENT = "ATTACHMENT"
    HABILITATION_CHANGE = "HABILITATION_CHANGE"


class ApprovalState(StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REFUSED = "REFUSED"
    CANCELLED = "CANCELLED"


class ProfileChangeKind(StrEnum):
    ADD = "ADD"
    REMOVE = "REMOVE"


class TicketStatus(StrEnum):
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    AWAITING_INFORMATION = "AWAITING_INFORMATION"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


class TicketObjectType(StrEnum):
    FACTURE = "FACTURE"
    DEMANDE_REMBOURSEMENT = "DEMANDE_REMBOURSEMENT"
    MEMOIRE = "MEMOIRE"


class TicketActivityKind(StrEnum):
    CREATED = "CREATED"
    COMMENT = "COMMENT"
    INFORMATION_REQUESTED = "INFORMATION_REQUESTED"
    INFORMATION_PROVIDED = "INFORMATION_PROVIDED"
    RESOLVED = "RESOLVED"
    REOPENED = "REOPENED"
    CLOSED = "CLOSED"
    SOLUTION_ACCEPTED = "SOLUTION_ACCEPTED"
    ATTACHMENT_ADDED = "ATTACHMENT_ADDED"
    ASSIGNED = "ASSIGNED"
    TRANSFERRED = "TRANSFERRED"


__all__ = [
    "AccessLevel",
    "AccountStatus",
    "ActivityStatus",
    "ApprovalKind",
    "ApprovalState",
    "Domain",
    "IdentifierType",
    "MembershipStatus",
    "OneTimeTokenKind",
    "ProfileChangeKind",
    "StructureKind",
    "TicketActivityKind",
    "TicketObjectType",
    "TicketStatus",
]
