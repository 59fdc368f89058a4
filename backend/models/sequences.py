"""Gap-free counters for ticket and approval numbers.

Call the helpers inside the transaction that writes the numbered row: the
counter's row stays locked until it commits (PostgreSQL) or the write
transaction holds the database (SQLite), and a rollback gives the number back.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
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
    """Increment the counter ``name`` (created at 0 when missing) and return its new value.

    One statement (an upsert with RETURNING, on SQLite and PostgreSQL): it takes the row lock on
    PostgreSQL (concurrent callers wait for the commit, then see the new value), and on SQLite it
    runs inside the caller's write transaction.
    """
    conn = using_db or Sequence._meta.db
    placeholder = "$1" if conn.capabilities.dialect == "postgres" else "?"
    rows = await conn.execute_query_dict(
        f'INSERT INTO "number_sequence" ("name", "value") VALUES ({placeholder}, 1) '
        'ON CONFLICT ("name") DO UPDATE SET "value" = "number_sequence"."value" + 1 RETURNING "value"',
        [name],
    )
    return int(rows[0]["value"])


async def next_ticket_number(using_db: BaseDBAsyncClient | None = None) -> str:
    """CPROCS followed by 7 digits."""
    return f"{TICKET_PREFIX}{await next_value(TICKET_SEQUENCE, using_db):07d}"


async def next_approval_number(using_db: BaseDBAsyncClient | None = None) -> str:
    """RITM followed by 7 digits."""
    return f"{APPROVAL_PREFIX}{await next_value(APPROVAL_SEQUENCE, using_db):07d}"
