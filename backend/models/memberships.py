"""Attachments of users to structures or services, and invitations by email."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from backend.models._common import PartialUniqueIndex, enum_field
from backend.models.enums import MembershipStatus

#: SQL condition of the memberships that count as "attached or asking to be".
OPEN_MEMBERSHIP_CONDITION = "status IN ('PENDING', 'ACTIVE')"


class Membership(Model):
    """A user attached to a structure (service null: maille structure) or to one service."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE, db_index=True
    )
    structure: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Structure", related_name="memberships", on_delete=fields.CASCADE, db_index=True
    )
    service: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Service",
        related_name="memberships",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    status = enum_field(MembershipStatus, default=MembershipStatus.ACTIVE, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    detached_at = fields.DatetimeField(null=True)
    detach_comment = fields.TextField(null=True)

    class Meta:
        table = "membership"


#: At most one PENDING-or-ACTIVE membership per user at structure level, and per user and service.
PARTIAL_UNIQUE_INDEXES = (
    PartialUniqueIndex(
        name="uniq_membership_open_structure",
        table="membership",
        columns=("user_id", "structure_id"),
        condition=f"service_id IS NULL AND {OPEN_MEMBERSHIP_CONDITION}",
    ),
    PartialUniqueIndex(
        name="uniq_membership_open_service",
        table="membership",
        columns=("user_id", "structure_id", "service_id"),
        condition=f"service_id IS NOT NULL AND {OPEN_MEMBERSHIP_CONDITION}",
    ),
)


class Invitation(Model):
    """``attachUser`` for an email with no account yet: the membership is made on sign-up."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, db_index=True)
    structure: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Structure", related_name="invitations", on_delete=fields.CASCADE, db_index=True
    )
    service: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Service",
        related_name="invitations",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    invited_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="invitations_sent",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    token_hash = fields.CharField(max_length=128, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)
    accepted_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invitation"
