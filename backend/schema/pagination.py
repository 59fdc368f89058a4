"""Relay connections with ``totalCount``, paged forward with offset cursors.

Cursors encode offsets, so that a client can jump to page N. Rows are
filtered and counted in SQL by the caller's queryset; this module only
windows it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from strawberry import relay
from tortoise.expressions import RawSQL

from backend.services.errors import ValidationFailed
from backend.services.paging import Sides

N = TypeVar("N")
MAX_PAGE_SIZE = 100
CURSOR_PREFIX = "offset:"


#: The paging arguments of every connection, described once.
First = Annotated[
    int | None, strawberry.argument(description="Page size: how many items to return (100 at most).")
]
After = Annotated[
    str | None, strawberry.argument(description="Cursor of the item before the page (`pageInfo.endCursor`).")
]


@strawberry.type(description="An edge of a connection: one node and its cursor.")
class Edge(Generic[N]):
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after` to read what follows.")
    node: N = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, with the total number of items the viewer may see.")
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(description="The items of this page, in order.")
    page_info: relay.PageInfo = strawberry.field(description="Where this page stands in the list.")
    total_count: int = strawberry.field(description="Number of items in the whole list (every page).")


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(CURSOR_PREFIX) or not text[len(CURSOR_PREFIX) :].isdigit():
        raise ValidationFailed("Curseur de pagination invalide.", field=["after"])
    return int(text[len(CURSOR_PREFIX) :])


def window(first: int | None, after: str | None, default: int) -> tuple[int, int]:
    """The (offset, limit) a page asks for; `first` above 100 is refused."""
    size = default if first is None else first
    if size < 0:
        raise ValidationFailed("« first » ne peut pas être négatif.", field=["first"])
    if size > MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"Au plus {MAX_PAGE_SIZE} éléments par page (« first » vaut {size}).", field=["first"]
        )
    offset = decode_cursor(after) + 1 if after else 0
    return offset, size


def build_connection(
    rows: Sequence[Any], total: int, offset: int, to_node: Callable[[Any], N]
) -> Connection[N]:
    edges = [Edge(cursor=encode_cursor(offset + i), node=to_node(row)) for i, row in enumerate(rows)]
    return Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=offset + len(rows) < total,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )


#: The page's ids carry the size of the whole list under this name (``count_in_page``).
TOTAL = "connection_total"


async def _merged_page(sides: Sides, offset: int, limit: int) -> tuple[list[int], int]:
    """The ids of the page of a list made of sides, and the list's size: two statements a side."""
    total = 0
    candidates: list[tuple[Any, ...]] = []
    for part in sides.parts:
        total += await part.count()
        candidates += await part.limit(offset + limit).values_list(*sides.key)
    candidates.sort(reverse=sides.descending)
    return [row[-1] for row in candidates[offset : offset + limit]], total


async def paginate(
    queryset: Any,
    *,
    first: int | None,
    after: str | None,
    default: int,
    to_node: Callable[[Any], N],
    count_in_page: bool = False,
) -> Connection[N]:
    """A page in a fixed number of statements, whatever its size and the list's length.

    The page's ids come first, in order, then its rows by primary key: the sort carries ids, not
    whole rows (a manager's 10,000 tickets ordered by date), and stops early where an index gives
    the order (the support queue's 660,000 tickets). The size of the whole list:

    - by default, one ``COUNT`` of its own (an index can answer it);
    - ``count_in_page``: ``COUNT(*) OVER ()`` beside the ids, for filters that cost too much to
      run twice (a trigram search). That makes the database visit every match, so never for
      plain lists, whose page an index would otherwise end after a few rows.

    ``queryset`` may also be :class:`Sides`: a list whose disjoint parts are paged each on its own.
    """
    offset, limit = window(first, after, default)
    if isinstance(queryset, Sides):
        ids, total = await _merged_page(queryset, offset, limit)
        queryset = queryset.parts[0]
    elif not limit:
        return build_connection([], await queryset.count(), offset, to_node)
    elif count_in_page:
        page = (
            await queryset.annotate(**{TOTAL: RawSQL("COUNT(*) OVER ()")})
            .offset(offset)
            .limit(limit)
            .values_list("id", TOTAL)
        )
        ids = [pk for pk, _ in page]
        # No id to carry the count: an empty list (none needed), or a page past its end.
        total = page[0][1] if page else (await queryset.count() if offset else 0)
    else:
        total = await queryset.count()
        ids = (
            await queryset.offset(offset).limit(limit).values_list("id", flat=True) if offset < total else []
        )
    by_id = {row.id: row for row in await queryset.model.filter(id__in=ids)} if ids else {}
    # A row deleted between the statements is left out, not an error.
    return build_connection([by_id[pk] for pk in ids if pk in by_id], total, offset, to_node)
