"""The SIRENE register's establishments, imported from INSEE's stock file."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class SireneEstablishment(Model):
    id = fields.IntField(primary_key=True)
    siret = fields.CharField(max_length=14, unique=True)
    siren = fields.CharField(max_length=9, db_index=True)
    name = fields.CharField(max_length=255)
    #: etatAdministratifEtablissement == "A" (F: fermé).
    is_active = fields.BooleanField(default=True)
    #: statutDiffusionEtablissement == "O" (P: partially non-diffusible).
    is_diffusible = fields.BooleanField(default=True)
    address_line1 = fields.CharField(max_length=255, default="")
    address_line2 = fields.CharField(max_length=255, null=True)
    postal_code = fields.CharField(max_length=16, default="")
    city = fields.CharField(max_length=100, default="")
    country = fields.CharField(max_length=2, default="FR")
    #: INSEE's dateDernierTraitementEtablissement.
    updated_at = fields.DatetimeField(null=True)
    imported_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sirene_establishment"
