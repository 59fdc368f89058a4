"""Per-request DataLoaders: every related row is fetched in one query per type."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from strawberry.dataloader import DataLoader


@dataclass(frozen=True, slots=True)
class HabilitationRow:
    """A habilitation as lists show it: its keys and its profile (with its application), without
    its creation time (``HabilitationType.created_at`` loads it when asked)."""

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id",
        "user_id",
        "structure_id",
        "service_id",
        "profile_id",
        "application_id",
        "granted_by_id",
    )

    id: int
    user_id: int
    structure_id: int
    service_id: int | None
    profile_id: int
    application_id: int
    granted_by_id: int | None
    profile_row: Any


#: Rows a type is always shown with, fetched in the same statement by ``by_id``: a profile's
#: application (``ProfileType.application`` is then a plain field, not one resolver call each).
_FETCHED_WITH: dict[str, tuple[str, ...]] = {"Profile": ("application",)}


class Loaders:
    """Created fresh for each request, so nothing is cached across viewers."""

    def __init__(self) -> None:
        self._by_id: dict[type, DataLoader[int, Any]] = {}
        self._children: dict[tuple[type, str], DataLoader[int, list[Any]]] = {}
        self._habilitations: DataLoader[tuple[int, int, int | None], list[HabilitationRow]] | None = None

    def by_id(self, model: type) -> DataLoader[int, Any]:
        """Rows of ``model`` by primary key (None for a missing id)."""
        if model not in self._by_id:
            related = _FETCHED_WITH.get(model.__name__, ())

            async def load(ids: Sequence[int]) -> list[Any]:
                query = model.filter(pk__in=list(ids))
                rows = {row.pk: row for row in await (query.select_related(*related) if related else query)}
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

    def habilitations_at(self) -> DataLoader[tuple[int, int, int | None], list[HabilitationRow]]:
        """Habilitations of (user, structure, service or None for the structure level)."""
        if self._habilitations is None:
            from backend import models

            async def load(keys: Sequence[tuple[int, int, int | None]]) -> list[list[HabilitationRow]]:
                users = sorted({k[0] for k in keys})
                structures = sorted({k[1] for k in keys})
                grouped: dict[tuple[int, int, int | None], list[HabilitationRow]] = defaultdict(list)
                # Plain values, not model instances: a users page holds hundreds of habilitations and
                # building a model (and its profile's, and its application's) for each was a third of
                # the page's time. The few distinct profiles come in a second statement.
                rows = (
                    await models.Habilitation.filter(user_id__in=users, structure_id__in=structures)
                    .order_by("application_id", "id")
                    .values_list(*HabilitationRow.COLUMNS)
                )
                profile_ids = sorted({row[4] for row in rows})
                profiles = dict(
                    zip(profile_ids, await self.by_id(models.Profile).load_many(profile_ids), strict=True)
                )
                for row in rows:
                    habilitation = HabilitationRow(*row, profile_row=profiles[row[4]])
                    grouped[
                        (habilitation.user_id, habilitation.structure_id, habilitation.service_id)
                    ].append(habilitation)
                return [grouped.get(k, []) for k in keys]

            self._habilitations = DataLoader(load_fn=load)
        return self._habilitations
