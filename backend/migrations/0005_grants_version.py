"""A version of each user's rights, changed by the database whenever they may have changed, so that
a worker can keep a user's grants between requests (``backend/auth/grants.py``).

``user_account.grants_version`` is set to a new random number, in the writing transaction, by
triggers on every row a user's grants are read from: their habilitations, their memberships, and
the profiles and applications those habilitations point to. Random rather than incremented: a version never comes back for another state, even
when a test empties the tables and ids start again.

The column is not a field of the ``User`` model on purpose: the ORM would write a stale value
back on ``user.save()``. Only these triggers write it; ``Grants.load`` reads it with plain SQL.
Written by hand (Tortoise's operations know no triggers).
"""

from __future__ import annotations

import importlib

from tortoise import migrations

RunSQLForDialect = importlib.import_module("backend.migrations.0002_ticket_search").RunSQLForDialect

SQLITE_NEW_VERSION = "random()"
POSTGRES_NEW_VERSION = "floor(random() * 9e18)::bigint"


def _sqlite_bump(users: str) -> str:
    return f'UPDATE "user_account" SET "grants_version" = {SQLITE_NEW_VERSION} WHERE "id" IN ({users});'


#: name -> CREATE statement; ``bench/generate.py`` drops them during its bulk load, then recreates them.
SQLITE_TRIGGERS = {
    **{
        f"grants_{table}_{event.lower()}": f'CREATE TRIGGER "grants_{table}_{event.lower()}" AFTER {event} '
        f'ON "{table}" BEGIN {_sqlite_bump(users)} END'
        for table in ("habilitation", "membership")
        for event, users in (
            ("INSERT", "new.user_id"),
            ("UPDATE", "old.user_id, new.user_id"),
            ("DELETE", "old.user_id"),
        )
    },
    "grants_profile_update": 'CREATE TRIGGER "grants_profile_update" AFTER UPDATE OF "level", "application_id" '
    'ON "profile" BEGIN '
    + _sqlite_bump('SELECT "user_id" FROM "habilitation" WHERE "profile_id" = new.id')
    + " END",
    "grants_application_update": 'CREATE TRIGGER "grants_application_update" AFTER UPDATE OF "code" '
    'ON "application" BEGIN '
    + _sqlite_bump('SELECT "user_id" FROM "habilitation" WHERE "application_id" = new.id')
    + " END",
}

ADD_COLUMN = 'ALTER TABLE "user_account" ADD COLUMN "grants_version" BIGINT NOT NULL DEFAULT 0'

SQLITE_FORWARD = [ADD_COLUMN, *SQLITE_TRIGGERS.values()]
SQLITE_BACKWARD = [
    *(f'DROP TRIGGER IF EXISTS "{name}"' for name in SQLITE_TRIGGERS),
    'ALTER TABLE "user_account" DROP COLUMN "grants_version"',
]


def _postgres_function(name: str, users: str) -> str:
    # OLD is NULL for an INSERT and NEW for a DELETE (PostgreSQL 11+); IN ignores NULLs.
    return (
        f'CREATE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
        f'UPDATE "user_account" SET "grants_version" = {POSTGRES_NEW_VERSION} WHERE "id" IN ({users}); '
        "RETURN NULL; END $$"
    )


#: table -> (trigger, function, events)
POSTGRES_TRIGGERS = {
    "habilitation": ("grants_habilitation", "grants_of_holder", "INSERT OR UPDATE OR DELETE"),
    "membership": ("grants_membership", "grants_of_holder", "INSERT OR UPDATE OR DELETE"),
    "profile": ("grants_profile", "grants_of_profile_holders", 'UPDATE OF "level", "application_id"'),
    "application": ("grants_application", "grants_of_application_holders", 'UPDATE OF "code"'),
}

POSTGRES_FORWARD = [
    ADD_COLUMN,
    _postgres_function("grants_of_holder", "OLD.user_id, NEW.user_id"),
    _postgres_function(
        "grants_of_profile_holders", 'SELECT "user_id" FROM "habilitation" WHERE "profile_id" = NEW.id'
    ),
    _postgres_function(
        "grants_of_application_holders",
        'SELECT "user_id" FROM "habilitation" WHERE "application_id" = NEW.id',
    ),
    *(
        f'CREATE TRIGGER "{trigger}" AFTER {events} ON "{table}" FOR EACH ROW EXECUTE FUNCTION "{function}"()'
        for table, (trigger, function, events) in POSTGRES_TRIGGERS.items()
    ),
]
POSTGRES_BACKWARD = [
    *(
        f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}"'
        for table, (trigger, _, _) in POSTGRES_TRIGGERS.items()
    ),
    *(
        f'DROP FUNCTION IF EXISTS "{name}"()'
        for name in (
            "grants_of_holder",
            "grants_of_profile_holders",
            "grants_of_application_holders",
        )
    ),
    'ALTER TABLE "user_account" DROP COLUMN "grants_version"',
]


class Migration(migrations.Migration):
    dependencies = [("models", "0004_structure_search")]

    operations = [
        RunSQLForDialect(
            forward={"sqlite": SQLITE_FORWARD, "postgres": POSTGRES_FORWARD},
            backward={"sqlite": SQLITE_BACKWARD, "postgres": POSTGRES_BACKWARD},
        ),
    ]
