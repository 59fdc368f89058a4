"""Habilitations: one profile granted to one user on a structure or one of its services."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from backend.models._common import PartialUniqueIndex


class Habilitation(Model):
    """One profile of one user on one structure or service.

    ``application`` repeats ``profile.application`` so that the database itself
    enforces « one profile per application per scope » (consultation or
    modification, not both). Services must keep the two consistent.
    """

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="habilitations", on_delete=fields.CASCADE, db_index=True
    )
    structure: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Structure", related_name="habilitations", on_delete=fields.CASCADE, db_index=True
    )
    service: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Service",
        related_name="habilitations",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    profile: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Profile", related_name="habilitations", on_delete=fields.RESTRICT, db_index=True
    )
    application: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Application",
        related_name="habilitations",
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    granted_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="habilitations_granted",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "habilitation"
        # A page of members reads their habilitations on one structure: without it, SQLite walked
        # the structure's index (50,000 rows for a structure of 5,000 members) to keep 550.
        indexes = (("user_id", "structure_id", "service_id"),)


#: One profile per application per scope: structure level, or one service.
PARTIAL_UNIQUE_INDEXES = (
    PartialUniqueIndex(
        name="uniq_habilitation_structure_application",
        table="habilitation",
        columns=("user_id", "structure_id", "application_id"),
        condition="service_id IS NULL",
    ),
    PartialUniqueIndex(
        name="uniq_habilitation_service_application",
        table="habilitation",
        columns=("user_id", "structure_id", "service_id", "application_id"),
        condition="service_id IS NOT NULL",
    ),
)
