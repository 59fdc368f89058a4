"""Structures (issuers and recipients of invoices) and their services."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from backend.models._common import enum_field
from backend.models.enums import ActivityStatus, IdentifierType, StructureKind


class Structure(Model):
    id = fields.IntField(primary_key=True)
    identifier_type = enum_field(IdentifierType)
    identifier = fields.CharField(max_length=80)
    #: Raison sociale.
    name = fields.CharField(max_length=255, db_index=True)
    #: Libellé.
    label = fields.CharField(max_length=255, null=True)
    kind = enum_field(StructureKind, default=StructureKind.PRIVATE, db_index=True)
    status = enum_field(ActivityStatus, default=ActivityStatus.ACTIVE, db_index=True)
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=32, null=True)
    address_line1 = fields.CharField(max_length=255)
    address_line2 = fields.CharField(max_length=255, null=True)
    address_line3 = fields.CharField(max_length=255, null=True)
    postal_code = fields.CharField(max_length=16, db_index=True)
    city = fields.CharField(max_length=100, db_index=True)
    #: ISO 3166-1 alpha-2.
    country = fields.CharField(max_length=2, default="FR")
    # StructureOptions
    receives_lifecycle_edi = fields.BooleanField(default=False)
    is_edi_sender = fields.BooleanField(default=False)
    active_connection_request = fields.BooleanField(default=False)
    service_code_required = fields.BooleanField(default=False)
    commitment_number_required = fields.BooleanField(default=False)
    non_diffusible_insee = fields.BooleanField(default=False)
    #: Catégorie prestataire (mémoires de frais de justice).
    legal_fees_provider_category = fields.CharField(max_length=100, null=True)
    principal_manager: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="managed_structures",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    #: The structure this one was duplicated from (SIRET change).
    origin: fields.ForeignKeyNullableRelation[Structure] = fields.ForeignKeyField(
        "models.Structure",
        related_name="duplicates",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    services: fields.ReverseRelation[Service]
    duplicates: fields.ReverseRelation[Structure]

    class Meta:
        table = "structure"
        unique_together = (("identifier_type", "identifier"),)

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier_type.value} {self.identifier})"


class Service(Model):
    id = fields.IntField(primary_key=True)
    structure: fields.ForeignKeyRelation[Structure] = fields.ForeignKeyField(
        "models.Structure", related_name="services", on_delete=fields.CASCADE, db_index=True
    )
    code = fields.CharField(max_length=100)
    name = fields.CharField(max_length=255, db_index=True)
    description = fields.TextField(null=True)
    status = enum_field(ActivityStatus, default=ActivityStatus.ACTIVE, db_index=True)
    valid_from = fields.DateField(null=True)
    valid_until = fields.DateField(null=True)
    commitment_number_required = fields.BooleanField(default=False)
    address_line1 = fields.CharField(max_length=255, null=True)
    address_line2 = fields.CharField(max_length=255, null=True)
    address_line3 = fields.CharField(max_length=255, null=True)
    postal_code = fields.CharField(max_length=16, null=True)
    city = fields.CharField(max_length=100, null=True)
    country = fields.CharField(max_length=2, null=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "service"
        unique_together = (("structure", "code"),)

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"
