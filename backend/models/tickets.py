"""Support tickets (sollicitations), their categories and their history."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from backend.models._common import enum_field
from backend.models.enums import TicketActivityKind, TicketObjectType, TicketStatus


class TicketCategory(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=50, unique=True)
    name = fields.CharField(max_length=150)
    position = fields.IntField(default=0)

    subcategories: fields.ReverseRelation[TicketSubcategory]

    class Meta:
        table = "ticket_category"

    def __str__(self) -> str:
        return self.name


class TicketSubcategory(Model):
    id = fields.IntField(primary_key=True)
    category: fields.ForeignKeyRelation[TicketCategory] = fields.ForeignKeyField(
        "models.TicketCategory",
        related_name="subcategories",
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    code = fields.CharField(max_length=80, unique=True)
    #: As shown, e.g. "M - Question pour le destinataire de ma facture".
    name = fields.CharField(max_length=200)
    #: "M - " sub-categories go to a business recipient, not to the platform support.
    is_business = fields.BooleanField(default=False)
    requires_object = fields.BooleanField(default=False)
    #: JSON list of :class:`TicketObjectType` values accepted (empty: no object).
    object_types: list[str] = fields.JSONField(default=list)
    position = fields.IntField(default=0)

    class Meta:
        table = "ticket_subcategory"

    def __str__(self) -> str:
        return self.name

    @property
    def accepted_object_types(self) -> list[TicketObjectType]:
        return [TicketObjectType(value) for value in self.object_types or []]


class Ticket(Model):
    id = fields.IntField(primary_key=True)
    #: CPROCS + 7 digits, given on submission (null for a draft).
    number = fields.CharField(max_length=20, unique=True, null=True)
    title = fields.CharField(max_length=255)
    description = fields.TextField()
    status = enum_field(TicketStatus, default=TicketStatus.DRAFT, db_index=True)
    category: fields.ForeignKeyRelation[TicketCategory] = fields.ForeignKeyField(
        "models.TicketCategory", related_name="tickets", on_delete=fields.RESTRICT, db_index=True
    )
    subcategory: fields.ForeignKeyRelation[TicketSubcategory] = fields.ForeignKeyField(
        "models.TicketSubcategory", related_name="tickets", on_delete=fields.RESTRICT, db_index=True
    )
    object_type = enum_field(TicketObjectType, null=True)
    object_number = fields.CharField(max_length=100, null=True)
    issuer_structure: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Structure", related_name="issued_tickets", on_delete=fields.RESTRICT, db_index=True
    )
    issuer_service: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Service",
        related_name="issued_tickets",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    contact_email = fields.CharField(max_length=254)
    contact_phone = fields.CharField(max_length=32, null=True)
    #: Business recipient ("M - " sub-categories), null for the platform support.
    recipient_structure: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Structure",
        related_name="received_tickets",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    recipient_service: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Service",
        related_name="received_tickets",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    assignee: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="assigned_tickets",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    created_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="created_tickets", on_delete=fields.RESTRICT, db_index=True
    )
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    submitted_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)
    closed_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)

    activities: fields.ReverseRelation[TicketActivity]

    class Meta:
        table = "ticket"
        # Each side's lists by status and date; counting them reads the index alone.
        indexes = (
            ("issuer_structure_id", "status", "created_at"),
            ("recipient_structure_id", "status", "created_at"),
        )

    def __str__(self) -> str:
        return self.number or f"draft #{self.id}"


class TicketActivity(Model):
    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="activities", on_delete=fields.CASCADE, db_index=True
    )
    kind = enum_field(TicketActivityKind, db_index=True)
    author: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="ticket_activities",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    body = fields.TextField(null=True)
    from_status = enum_field(TicketStatus, null=True)
    to_status = enum_field(TicketStatus, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "ticket_activity"
