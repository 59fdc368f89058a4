"""Gap-free counters for ticket and approval numbers.

Call the helpers inside the transaction that writes the numbered row: the
counter's row stays locked until it commits (PostgreSQL) or the write
transaction holds the database (SQLite), and a rollback gives the number back.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.models import Model

TICKET_SEQUENCE = "ticket"
APPROVAL_SEQUENCE = "approval"
TICKET_PREFIX = "CPROCS"
APPROVAL_PREFIX = "RITM"


class Sequence(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=50, unique=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "number_sequence"


async def next_value(name: str, using_db: BaseDBAsyncClient | None = None) -> int:
    """Increment the counter ``name`` (created at 0 when missing) and return its new value."""
    updated = await Sequence.filter(name=name).using_db(using_db).update(value=F("value") + 1)
    if not updated:
        await Sequence.get_or_create(name=name, defaults={"value": 0}, using_db=using_db)
        await Sequence.filter(name=name).using_db(using_db).update(value=F("value") + 1)
    row = await Sequence.filter(name=name).using_db(using_db).get()
    return row.value


async def next_ticket_number(using_db: BaseDBAsyncClient | None = None) -> str:
    """CPROCS followed by 7 digits."""
    return f"{TICKET_PREFIX}{await next_value(TICKET_SEQUENCE, using_db):07d}"


async def next_approval_number(using_db: BaseDBAsyncClient | None = None) -> str:
    """RITM followed by 7 digits."""
    return f"{APPROVAL_PREFIX}{await next_value(APPROVAL_SEQUENCE, using_db):07d}"
