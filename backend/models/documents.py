"""Stored files: structure attachments, RIBs, ticket attachments.

The bytes live in the document store under ``storage_key``; a deleted
document keeps its row (``deleted_at``) for the audit trail.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Document(Model):
    id = fields.IntField(primary_key=True)
    structure: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Structure",
        related_name="documents",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    ticket: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Ticket",
        related_name="attachments",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    ticket_activity: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.TicketActivity",
        related_name="attachments",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    filename = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=127)
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    storage_key = fields.CharField(max_length=255, unique=True)
    uploaded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="documents_uploaded",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "document"
