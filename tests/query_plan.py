"""The plan the database chose for a statement, as one string (for tests that check an index is used)."""

from __future__ import annotations

from tortoise import connections
from tortoise.transactions import in_transaction

from backend.settings import Settings


async def query_plan(db: Settings, sql: str) -> str:
    """SQLite's ``EXPLAIN QUERY PLAN``; PostgreSQL's ``EXPLAIN`` with plain scans forbidden, since
    on a test's tiny tables the planner would rightly prefer them to any index."""
    if db.is_sqlite:
        rows = await connections.get("default").execute_query_dict("EXPLAIN QUERY PLAN " + sql)
        return " ".join(str(row["detail"]) for row in rows)
    async with in_transaction() as tx:
        await tx.execute_script("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        rows = await tx.execute_query_dict("EXPLAIN " + sql)
    return " ".join(str(next(iter(row.values()))) for row in rows)
