"""Tortoise models of the "models" app, one module per aggregate.

Tortoise discovers the models imported here (module list ``["backend.models"]``).
The schema only changes through ``backend/migrations``.
"""

from backend.models import habilitations as _habilitations
from backend.models import memberships as _memberships
from backend.models._common import PartialUniqueIndex
from backend.models.api_tokens import ApiToken
from backend.models.applications import Application, Profile
from backend.models.approvals import Approval, ApprovalComment, ApprovalProfileChange
from backend.models.audit import AuditEvent
from backend.models.bank_accounts import BankAccount
from backend.models.documents import Document
from backend.models.enums import (
    AccessLevel,
    AccountStatus,
    ActivityStatus,
    ApprovalKind,
    ApprovalState,
    Domain,
    IdentifierType,
    MembershipStatus,
    OneTimeTokenKind,
    ProfileChangeKind,
    StructureKind,
    TicketActivityKind,
    TicketObjectType,
    TicketStatus,
)
from backend.models.habilitations import Habilitation
from backend.models.memberships import Invitation, Membership
from backend.models.sequences import Sequence
from backend.models.sirene import SireneEstablishment
from backend.models.structures import Service, Structure
from backend.models.tickets import Ticket, TicketActivity, TicketCategory, TicketSubcategory
from backend.models.users import LoginFailure, OneTimeToken, Session, User

__models__ = [
    ApiToken,
    Application,
    Approval,
    ApprovalComment,
    ApprovalProfileChange,
    AuditEvent,
    BankAccount,
    Document,
    Habilitation,
    Invitation,
    LoginFailure,
    Membership,
    OneTimeToken,
    Profile,
    Sequence,
    Service,
    Session,
    SireneEstablishment,
    Structure,
    Ticket,
    TicketActivity,
    TicketCategory,
    TicketSubcategory,
    User,
]

#: Created by the migrations with RunSQL (see :class:`PartialUniqueIndex`).
PARTIAL_UNIQUE_INDEXES: tuple[PartialUniqueIndex, ...] = (
    *_memberships.PARTIAL_UNIQUE_INDEXES,
    *_habilitations.PARTIAL_UNIQUE_INDEXES,
)

__all__ = [
    "PARTIAL_UNIQUE_INDEXES",
    "AccessLevel",
    "AccountStatus",
    "ActivityStatus",
    "ApiToken",
    "Application",
    "Approval",
    "ApprovalComment",
    "ApprovalKind",
    "ApprovalProfileChange",
    "ApprovalState",
    "AuditEvent",
    "BankAccount",
    "Document",
    "Domain",
    "Habilitation",
    "IdentifierType",
    "Invitation",
    "LoginFailure",
    "Membership",
    "MembershipStatus",
    "OneTimeToken",
    "OneTimeTokenKind",
    "PartialUniqueIndex",
    "Profile",
    "ProfileChangeKind",
    "Sequence",
    "Service",
    "Session",
    "SireneEstablishment",
    "Structure",
    "StructureKind",
    "Ticket",
    "TicketActivity",
    "TicketActivityKind",
    "TicketCategory",
    "TicketObjectType",
    "TicketStatus",
    "TicketSubcategory",
    "User",
]
