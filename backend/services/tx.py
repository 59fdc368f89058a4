"""One way to open a write transaction."""

from __future__ import annotations

from tortoise.transactions import in_transaction


def transaction():
    """Every write of a use case, with its audit event, happens inside one of these."""
    return in_transaction("default")
