"""Personal API tokens (Authorization: Bearer …) acting as their owner."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="api_tokens", on_delete=fields.CASCADE, db_index=True
    )
    name = fields.CharField(max_length=100)
    #: First characters of the secret, shown in lists to recognise a token.
    prefix = fields.CharField(max_length=16, db_index=True)
    secret_hash = fields.CharField(max_length=128, unique=True)
    read_only = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
