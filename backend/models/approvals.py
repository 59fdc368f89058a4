"""Approvals (approbations): requests a structure's managers decide on."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from backend.models._common import enum_field
from backend.models.enums import ApprovalKind, ApprovalState, ProfileChangeKind


class Approval(Model):
    id = fields.IntField(primary_key=True)
    #: RITM + 7 digits, from the "approval" :class:`~backend.models.sequences.Sequence`.
    number = fields.CharField(max_length=20, unique=True)
    kind = enum_field(ApprovalKind, db_index=True)
    state = enum_field(ApprovalState, default=ApprovalState.REQUESTED, db_index=True)
    description = fields.TextField()
    requester: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="approvals_requested", on_delete=fields.CASCADE, db_index=True
    )
    #: The principal manager when the request was made (« Approbateur »).
    approver: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="approvals_to_decide",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    structure: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Structure", related_name="approvals", on_delete=fields.CASCADE, db_index=True
    )
    service: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Service",
        related_name="approvals",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    #: The PENDING membership of an ATTACHMENT request.
    membership: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Membership",
        related_name="approvals",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    decided_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="approvals_decided",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    decision_reason = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    decided_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)
    version = fields.IntField(default=1)

    profile_changes: fields.ReverseRelation[ApprovalProfileChange]
    comments: fields.ReverseRelation[ApprovalComment]

    class Meta:
        table = "approval"
        # The count of approvals to decide: a structure's REQUESTED ones, not the requester's own,
        # read from the index alone (a manager of 1,000 structures has about 11,000 on L).
        indexes = (("structure_id", "state", "requester_id"),)


class ApprovalProfileChange(Model):
    """One profile to add or remove in a HABILITATION_CHANGE approval."""

    id = fields.IntField(primary_key=True)
    approval: fields.ForeignKeyRelation[Approval] = fields.ForeignKeyField(
        "models.Approval", related_name="profile_changes", on_delete=fields.CASCADE, db_index=True
    )
    profile: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Profile",
        related_name="approval_changes",
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    change = enum_field(ProfileChangeKind)

    class Meta:
        table = "approval_profile_change"
        unique_together = (("approval", "profile", "change"),)


class ApprovalComment(Model):
    id = fields.IntField(primary_key=True)
    approval: fields.ForeignKeyRelation[Approval] = fields.ForeignKeyField(
        "models.Approval", related_name="comments", on_delete=fields.CASCADE, db_index=True
    )
    author: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="approval_comments",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "approval_comment"
