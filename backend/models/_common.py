"""Field helpers shared by the model modules.

Tortoise turns a model's docstring (first line) and ``#:`` comments into SQL
comments: keep semicolons out of them, SQLite migrations split statements on
``;``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from tortoise import fields

#: Room for longer enum values later without a column change.
ENUM_MAX_LENGTH = 32


def enum_field(enum_type: type[Enum], **kwargs: Any) -> Any:
    """A CharEnumField with a fixed width and a stable description.

    Tortoise sizes the column from the longest value and writes every value in
    the column comment by default: adding a value would then alter the column.
    """
    kwargs.setdefault("max_length", ENUM_MAX_LENGTH)
    kwargs.setdefault("description", enum_type.__name__)
    return fields.CharEnumField(enum_type, **kwargs)


@dataclass(frozen=True)
class PartialUniqueIndex:
    """A unique index over the rows matching ``condition`` (same SQL on SQLite and PostgreSQL).

    Not declared as ``Meta.constraints``: Tortoise 1.1.9's CreateModel ignores
    them (tortoise-orm#2272) and its SQLite schema editor refuses conditional
    constraints. The initial migration creates these with RunSQL
    (``backend/migrations/_regenerate.py`` writes them), and
    ``tests/models`` checks that the migrated database has them all.
    """

    name: str
    table: str
    columns: tuple[str, ...]
    condition: str

    def create_sql(self) -> str:
        columns = ", ".join(f'"{column}"' for column in self.columns)
        return f'CREATE UNIQUE INDEX "{self.name}" ON "{self.table}" ({columns}) WHERE {self.condition}'

    def drop_sql(self) -> str:
        return f'DROP INDEX "{self.name}"'
