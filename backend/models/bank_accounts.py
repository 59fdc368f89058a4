"""Bank details (coordonnées bancaires) of a structure."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from backend.models._common import enum_field
from backend.models.enums import ActivityStatus


class BankAccount(Model):
    id = fields.IntField(primary_key=True)
    structure: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Structure", related_name="bank_accounts", on_delete=fields.CASCADE, db_index=True
    )
    #: Shown when an invoice is filed.
    name = fields.CharField(max_length=255)
    #: Affactureur: the account belongs to the factoring company.
    is_factor = fields.BooleanField(default=False)
    status = enum_field(ActivityStatus, default=ActivityStatus.ACTIVE, db_index=True)
    #: ISO 3166-1 alpha-2 of the IBAN.
    country = fields.CharField(max_length=2)
    #: Electronic format (no spaces), upper case.
    iban = fields.CharField(max_length=34)
    bic = fields.CharField(max_length=11, null=True)
    rib_document: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Document",
        related_name="bank_accounts",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "bank_account"
