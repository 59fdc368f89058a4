"""Reference data: applications, profiles, ticket categories, identifier types.

The data lives in the JSON files beside this module, so that an operator can
change it without touching code. :func:`load_reference_data` upserts the rows
by ``code``: re-running it after editing a file updates names, positions and
flags, and writes nothing when nothing changed. Rows removed from a file are
left in the database (habilitations and tickets refer to them).

Identifier types are not a table (the enum is in the API): the validation code
reads them with :func:`identifier_types`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from backend.models import (
    AccessLevel,
    Application,
    Domain,
    IdentifierType,
    Profile,
    TicketCategory,
    TicketObjectType,
    TicketSubcategory,
)

SEED_DIR = Path(__file__).resolve().parent
BUSINESS_PREFIX = "M - "


def read_seed_file(name: str, seed_dir: Path = SEED_DIR) -> dict[str, Any]:
    """One JSON file of ``backend/seed`` as it is on disk now."""
    with (seed_dir / name).open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _identifier_types() -> tuple[dict[str, Any], ...]:
    return tuple(read_seed_file("identifier_types.json")["identifier_types"])


def identifier_types() -> list[dict[str, Any]]:
    """Identifier types: code, label, validation (rule shown to users), pattern, sirene_check, position."""
    return list(_identifier_types())


def identifier_type(code: IdentifierType | str) -> dict[str, Any]:
    value = code.value if isinstance(code, IdentifierType) else code
    for entry in identifier_types():
        if entry["code"] == value:
            return entry
    raise KeyError(value)


def is_business_subcategory(name: str) -> bool:
    """Whether a sub-category goes to a business recipient: its name starts with "M - "."""
    return name.startswith(BUSINESS_PREFIX)


async def _upsert(
    model: type[Model], code: str, values: dict[str, Any], existing: dict[str, Model], conn: BaseDBAsyncClient
) -> Model:
    row = existing.get(code)
    if row is None:
        row = await model.create(code=code, **values, using_db=conn)
        existing[code] = row
        return row
    changed = [field for field, value in values.items() if getattr(row, field) != value]
    if changed:
        for field in changed:
            setattr(row, field, values[field])
        await row.save(update_fields=changed, using_db=conn)
    return row


async def load_reference_data(seed_dir: Path = SEED_DIR) -> dict[str, int]:
    """Upsert every reference row from the files; returns how many rows each file holds.

    ``seed_dir``: where the JSON files are (tests point it at edited copies).
    """
    applications_file = read_seed_file("applications.json", seed_dir)["applications"]
    profiles_file = read_seed_file("profiles.json", seed_dir)["profiles"]
    categories_file = read_seed_file("ticket_categories.json", seed_dir)["categories"]
    identifier_types_file = read_seed_file("identifier_types.json", seed_dir)["identifier_types"]
    for entry in identifier_types_file:
        IdentifierType(entry["code"])  # the file may not invent identifier types

    async with in_transaction() as conn:
        applications = {row.code: row for row in await Application.all().using_db(conn)}
        for entry in applications_file:
            await _upsert(
                Application,
                entry["code"],
                {"name": entry["name"], "domain": Domain(entry["domain"]), "position": entry["position"]},
                applications,
                conn,
            )

        profiles = {row.code: row for row in await Profile.all().using_db(conn)}
        for entry in profiles_file:
            await _upsert(
                Profile,
                entry["code"],
                {
                    "name": entry["name"],
                    "application_id": applications[entry["application"]].pk,
                    "level": AccessLevel(entry["level"]),
                },
                profiles,
                conn,
            )

        categories = {row.code: row for row in await TicketCategory.all().using_db(conn)}
        subcategories = {row.code: row for row in await TicketSubcategory.all().using_db(conn)}
        subcategory_count = 0
        for entry in categories_file:
            category = await _upsert(
                TicketCategory,
                entry["code"],
                {"name": entry["name"], "position": entry["position"]},
                categories,
                conn,
            )
            for sub in entry["subcategories"]:
                object_types = [TicketObjectType(value).value for value in sub.get("object_types", [])]
                await _upsert(
                    TicketSubcategory,
                    sub["code"],
                    {
                        "category_id": category.pk,
                        "name": sub["name"],
                        "is_business": is_business_subcategory(sub["name"]),
                        "requires_object": bool(object_types),
                        "object_types": object_types,
                        "position": sub["position"],
                    },
                    subcategories,
                    conn,
                )
                subcategory_count += 1

    return {
        "applications": len(applications_file),
        "profiles": len(profiles_file),
        "ticket_categories": len(categories_file),
        "ticket_subcategories": subcategory_count,
        "identifier_types": len(identifier_types_file),
    }
