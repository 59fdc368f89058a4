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


#: The page's ids carry the size of the whole list under this name.
TOTAL = "connection_total"


async def paginate(
    queryset: Any, *, first: int | None, after: str | None, default: int, to_node: Callable[[Any], N]
) -> Connection[N]:
    """Two statements, whatever the page size and the list's length:

    1. the page's ids, in order, each with the size of the whole list (``COUNT(*) OVER ()``): the
       filter runs once (a keyword search over a million tickets is not run again to count), and
       the sort carries ids, not whole rows (a manager's 10,000 tickets ordered by date);
    2. the page's rows, by primary key.

    A page past the end, or of size 0, has no id to carry the count: one COUNT instead (an
    empty first page needs none).
    """
    offset, limit = window(first, after, default)
    page = (
        await queryset.annotate(**{TOTAL: RawSQL("COUNT(*) OVER ()")})
        .offset(offset)
        .limit(limit)
        .values_list("id", TOTAL)
        if limit
        else []
    )
    if not page:
        total = await queryset.count() if offset or not limit else 0
        return build_connection([], total, offset, to_node)
    by_id = {row.id: row for row in await queryset.model.filter(id__in=[pk for pk, _ in page])}
    # A row deleted between the two statements is left out, not an error.
    return build_connection([by_id[pk] for pk, _ in page if pk in by_id], page[0][1], offset, to_node)
