"""How a list is read a page at a time, when one query is not the way (``backend/schema/pagination.py``
pages it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sides:
    """A list made of disjoint parts in one order, ``key`` (fields, ending with ``id``): each part
    is paged on its own, where an index gives its order, and the pages are merged. One query with
    OR between the parts would sort every row of the list (a support agent's 660,000 tickets)."""

    parts: tuple[Any, ...]
    key: tuple[str, ...]
    descending: bool
