"""Per-request DataLoaders: every related row is fetched in one query per type."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader


class Loaders:
    """Created fresh for each request, so nothing is cached across viewers."""

    def __init__(self) -> None:
        self._by_id: dict[type, DataLoader[int, Any]] = {}
        self._children: dict[tuple[type, str], DataLoader[int, list[Any]]] = {}
        self._habilitations: DataLoader[tuple[int, int, int | None], list[Any]] | None = None

    def by_id(self, model: type) -> DataLoader[int, Any]:
        """Rows of ``model`` by primary key (None for a missing id)."""
        if model not in self._by_id:

            async def load(ids: Sequence[int]) -> list[Any]:
                rows = {row.pk: row for row in await model.filter(pk__in=list(ids))}
                return [rows.get(i) for i in ids]

            self._by_id[model] = DataLoader(load_fn=load)
        return self._by_id[model]

    def children(
        self, model: type, parent_field: str, order_by: Sequence[str] = ("id",)
    ) -> DataLoader[int, list[Any]]:
        """Rows of ``model`` grouped by the foreign key ``parent_field`` (e.g. ``category_id``)."""
        key = (model, parent_field)
        if key not in self._children:

            async def load(parent_ids: Sequence[int]) -> list[list[Any]]:
                grouped: dict[int, list[Any]] = defaultdict(list)
                for row in await model.filter(**{f"{parent_field}__in": list(parent_ids)}).order_by(
                    *order_by
                ):
                    grouped[getattr(row, parent_field)].append(row)
                return [grouped.get(i, []) for i in parent_ids]

            self._children[key] = DataLoader(load_fn=load)
        return self._children[key]

    def habilitations_at(self) -> DataLoader[tuple[int, int, int | None], list[Any]]:
        """Habilitations of (user, structure, service or None for the structure level)."""
        if self._habilitations is None:
            from backend import models

            async def load(keys: Sequence[tuple[int, int, int | None]]) -> list[list[Any]]:
                users = sorted({k[0] for k in keys})
                structures = sorted({k[1] for k in keys})
                grouped: dict[tuple[int, int, int | None], list[Any]] = defaultdict(list)
                # Profiles and applications come in the same statement: their fields then resolve
                # synchronously (see HabilitationType.profile), not one coroutine each.
                rows = (
                    await models.Habilitation.filter(user_id__in=users, structure_id__in=structures)
                    .select_related("profile__application")
                    .order_by("application_id", "id")
                )
                for row in rows:
                    grouped[(row.user_id, row.structure_id, row.service_id)].append(row)
                return [grouped.get(k, []) for k in keys]

            self._habilitations = DataLoader(load_fn=load)
        return self._habilitations
