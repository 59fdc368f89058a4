"""The audit log: one row per change, written in the change's transaction."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="audit_events_as_actor",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    #: e.g. "structure.update", "habilitation.remove".
    action = fields.CharField(max_length=64, db_index=True)
    #: Model name of the target, e.g. "Structure".
    target_type = fields.CharField(max_length=50)
    target_id = fields.CharField(max_length=64)
    structure: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Structure",
        related_name="audit_events",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    #: The user the event is about (attached, detached, granted a profile…).
    subject_user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="audit_events_as_subject",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    #: JSON object {field: [before, after]}, secrets and full IBANs masked.
    changes = fields.TextField(null=True)

    class Meta:
        table = "audit_event"
        indexes = (("target_type", "target_id"),)
