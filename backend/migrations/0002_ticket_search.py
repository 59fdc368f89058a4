"""Keyword search over tickets without scanning: trigram indexes (backend/services/ticket_search.py).

- SQLite: an FTS5 table with the trigram tokenizer over the ticket's number,
  title and description (external content: it stores only the index), kept in
  sync by three triggers, and filled from the tickets already there.
- PostgreSQL: the pg_trgm extension and one GIN index over the same three
  fields joined by spaces (the expression ``ticket_search.PG_DOCUMENT``).

Also an index for the received-tickets queue (recipient, then creation date),
on both databases. Written by hand (Tortoise's operations know neither FTS5
nor GIN); the statements differ per dialect, so the operation reads the
connection's dialect when it runs.
"""

from __future__ import annotations

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

FTS_COLUMNS = '"number", "title", "description"'

SQLITE_FORWARD = [
    'CREATE VIRTUAL TABLE "ticket_search" USING fts5(number, title, description, '
    "content='ticket', content_rowid='id', tokenize='trigram')",
    'CREATE TRIGGER "ticket_search_insert" AFTER INSERT ON "ticket" BEGIN '
    f'INSERT INTO "ticket_search" ("rowid", {FTS_COLUMNS}) '
    "VALUES (new.id, new.number, new.title, new.description); END",
    'CREATE TRIGGER "ticket_search_delete" AFTER DELETE ON "ticket" BEGIN '
    f'INSERT INTO "ticket_search" ("ticket_search", "rowid", {FTS_COLUMNS}) '
    "VALUES ('delete', old.id, old.number, old.title, old.description); END",
    'CREATE TRIGGER "ticket_search_update" AFTER UPDATE OF "number", "title", "description" ON "ticket" BEGIN '
    f'INSERT INTO "ticket_search" ("ticket_search", "rowid", {FTS_COLUMNS}) '
    "VALUES ('delete', old.id, old.number, old.title, old.description); "
    f'INSERT INTO "ticket_search" ("rowid", {FTS_COLUMNS}) '
    "VALUES (new.id, new.number, new.title, new.description); END",
    'INSERT INTO "ticket_search" ("ticket_search") VALUES (\'rebuild\')',
]
SQLITE_BACKWARD = [
    'DROP TRIGGER IF EXISTS "ticket_search_update"',
    'DROP TRIGGER IF EXISTS "ticket_search_delete"',
    'DROP TRIGGER IF EXISTS "ticket_search_insert"',
    'DROP TABLE IF EXISTS "ticket_search"',
]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX "ticket_search_trgm" ON "ticket" USING gin '
    "((COALESCE(\"number\", '') || ' ' || \"title\" || ' ' || \"description\") gin_trgm_ops)",
]
POSTGRES_BACKWARD = ['DROP INDEX IF EXISTS "ticket_search_trgm"']

BOTH_FORWARD = [
    'CREATE INDEX "ticket_recipient_created" ON "ticket" ("recipient_structure_id", "created_at")',
]
BOTH_BACKWARD = ['DROP INDEX IF EXISTS "ticket_recipient_created"']


class RunSQLForDialect(ops.RunSQL):
    """RunSQL whose statements depend on the connection's dialect ("sqlite", "postgres").

    Each statement runs whole (SQLite's schema editor would split a trigger body on ``;``).
    """

    def __init__(self, forward: dict[str, list[str]], backward: dict[str, list[str]]) -> None:
        super().__init__(sql=forward, reverse_sql=backward)

    async def _run_sql(self, state_editor: Any, sqls: Any) -> None:
        dialect = state_editor.client.capabilities.dialect
        if dialect not in sqls:
            raise NotImplementedError(f"no ticket search migration for {dialect}")
        for statement in sqls[dialect]:
            if state_editor.collect_sql:
                state_editor.collected_sql.append(statement + ";")
            else:
                await state_editor.client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [
        RunSQLForDialect(
            forward={"sqlite": SQLITE_FORWARD + BOTH_FORWARD, "postgres": POSTGRES_FORWARD + BOTH_FORWARD},
            backward={
                "sqlite": BOTH_BACKWARD + SQLITE_BACKWARD,
                "postgres": BOTH_BACKWARD + POSTGRES_BACKWARD,
            },
        ),
    ]
