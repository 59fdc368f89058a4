"""The audit log: every write records who did what, in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from backend import models
from backend.services import live

SECRET_FIELDS = {"password", "password_hash", "secret", "secret_hash", "token", "token_hash", "totp_secret"}


def mask_iban(value: str | None) -> str | None:
    """FR76 **** **** **** **** **** 189: the country, the key and the last three characters."""
    if not value:
        return value
    compact = value.replace(" ", "")
    if len(compact) < 8:
        return "****"
    hidden = "*" * (len(compact) - 7)
    shown = compact[:4] + hidden + compact[-3:]
    return " ".join(shown[i : i + 4] for i in range(0, len(shown), 4))


def _safe(field: str, value: Any) -> Any:
    if field in SECRET_FIELDS:
        return "***" if value else value
    if field == "iban":
        return mask_iban(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed, secrets and IBANs masked."""
    before = before or {}
    after = after or {}
    changes: dict[str, list[Any]] = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old != new:
            changes[field] = [_safe(field, old), _safe(field, new)]
    return changes


async def audit(
    actor: Any,
    action: str,
    target: Any,
    *,
    structure_id: int | None = None,
    subject_user_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> Any:
    """Record one event; call it inside the transaction of the change it describes."""
    changes = diff(before, after)
    event = await models.AuditEvent.create(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__,
        target_id=str(target.pk),
        structure_id=structure_id,
        subject_user_id=subject_user_id,
        changes=json.dumps(changes, ensure_ascii=False) if changes else None,
    )
    # Live updates (pending approval counts) hear of it when the transaction commits.
    await live.audited(action, structure_id=structure_id, subject_user_id=subject_user_id)
    return event
