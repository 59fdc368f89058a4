"""Habilitation applications and their profiles (application × access level).

Reference data: rows come from ``backend/seed/applications.json`` and
``profiles.json`` through :func:`backend.seed.reference.load_reference_data`.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from backend.models._common import enum_field
from backend.models.enums import AccessLevel, Domain


class Application(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=50, unique=True)
    name = fields.CharField(max_length=150)
    domain = enum_field(Domain, db_index=True)
    position = fields.IntField(default=0)

    profiles: fields.ReverseRelation[Profile]

    class Meta:
        table = "application"

    def __str__(self) -> str:
        return self.code


class Profile(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=80, unique=True)
    name = fields.CharField(max_length=200)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="profiles", on_delete=fields.RESTRICT, db_index=True
    )
    level = enum_field(AccessLevel)

    class Meta:
        table = "profile"
        unique_together = (("application", "level"),)

    def __str__(self) -> str:
        return self.code
