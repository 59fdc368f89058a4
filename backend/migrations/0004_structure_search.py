"""The directory search without scanning: trigram indexes (backend/services/structure_search.py).

- SQLite: an FTS5 table with the trigram tokenizer over the structure's
  identifier, name, label, city and postal code (external content: it stores
  only the index), kept in sync by three triggers, and filled from the
  structures already there.
- PostgreSQL: one GIN ``gin_trgm_ops`` index (pg_trgm) over the same five
  fields joined by spaces (the expression ``structure_search.PG_DOCUMENT``).

Written by hand like ``0002_ticket_search`` (Tortoise's operations know neither
FTS5 nor GIN), with its dialect-aware operation.
"""

from __future__ import annotations

import importlib

from tortoise import migrations

RunSQLForDialect = importlib.import_module("backend.migrations.0002_ticket_search").RunSQLForDialect

FTS_COLUMNS = '"identifier", "name", "label", "city", "postal_code"'
NEW_VALUES = "new.id, new.identifier, new.name, new.label, new.city, new.postal_code"
OLD_VALUES = "old.id, old.identifier, old.name, old.label, old.city, old.postal_code"

SQLITE_FORWARD = [
    'CREATE VIRTUAL TABLE "structure_search" USING fts5(identifier, name, label, city, postal_code, '
    "content='structure', content_rowid='id', tokenize='trigram')",
    'CREATE TRIGGER "structure_search_insert" AFTER INSERT ON "structure" BEGIN '
    f'INSERT INTO "structure_search" ("rowid", {FTS_COLUMNS}) VALUES ({NEW_VALUES}); END',
    'CREATE TRIGGER "structure_search_delete" AFTER DELETE ON "structure" BEGIN '
    f'INSERT INTO "structure_search" ("structure_search", "rowid", {FTS_COLUMNS}) '
    f"VALUES ('delete', {OLD_VALUES}); END",
    'CREATE TRIGGER "structure_search_update" '
    f'AFTER UPDATE OF "identifier", "name", "label", "city", "postal_code" ON "structure" BEGIN '
    f'INSERT INTO "structure_search" ("structure_search", "rowid", {FTS_COLUMNS}) '
    f"VALUES ('delete', {OLD_VALUES}); "
    f'INSERT INTO "structure_search" ("rowid", {FTS_COLUMNS}) VALUES ({NEW_VALUES}); END',
    'INSERT INTO "structure_search" ("structure_search") VALUES (\'rebuild\')',
]
SQLITE_BACKWARD = [
    'DROP TRIGGER IF EXISTS "structure_search_update"',
    'DROP TRIGGER IF EXISTS "structure_search_delete"',
    'DROP TRIGGER IF EXISTS "structure_search_insert"',
    'DROP TABLE IF EXISTS "structure_search"',
]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX "structure_search_trgm" ON "structure" USING gin '
    "((\"identifier\" || ' ' || \"name\" || ' ' || COALESCE(\"label\", '') || ' ' || \"city\" "
    "|| ' ' || \"postal_code\") gin_trgm_ops)",
]
POSTGRES_BACKWARD = ['DROP INDEX IF EXISTS "structure_search_trgm"']


class Migration(migrations.Migration):
    dependencies = [("models", "0003_totp_last_step")]

    operations = [
        RunSQLForDialect(
            forward={"sqlite": SQLITE_FORWARD, "postgres": POSTGRES_FORWARD},
            backward={"sqlite": SQLITE_BACKWARD, "postgres": POSTGRES_BACKWARD},
        ),
    ]
