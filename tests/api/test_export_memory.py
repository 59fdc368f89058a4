"""Exports read their list through a cursor: memory does not grow with the number of rows."""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from backend import models
from backend.exports import batches, ordered_ids

ROWS = 40_000


async def _establishments(count: int) -> None:
    await models.SireneEstablishment.bulk_create(
        [
            models.SireneEstablishment(
                siret=f"{i:014d}", siren=f"{i:09d}", name=f"Établissement {count - i:05d}"
            )
            for i in range(count)
        ],
        batch_size=2_000,
    )


async def _peak(read: Callable[[], Awaitable[Any]]) -> tuple[int, Any]:
    tracemalloc.start()
    try:
        result = await read()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


async def _drain(source: AsyncIterator[list[Any]]) -> tuple[int, int, Any]:
    """(batches, rows, last row) without keeping what was read."""
    count = rows = 0
    last = None
    async for batch in source:
        count += 1
        rows += len(batch)
        last = batch[-1]
    return count, rows, last


async def test_ids_come_in_order_and_in_slices(db) -> None:
    await _establishments(1_234)
    query = models.SireneEstablishment.filter(name__startswith="Établissement").order_by("name", "id")
    slices = [ids async for ids in ordered_ids(query, 500)]
    assert [len(s) for s in slices] == [500, 500, 234]
    assert [i for s in slices for i in s] == await query.values_list("id", flat=True)


async def test_an_export_holds_one_batch_whatever_the_number_of_rows(db) -> None:
    await _establishments(ROWS)
    query = models.SireneEstablishment.all().order_by("name", "id")

    every_id, ids = await _peak(lambda: query.values_list("id", flat=True))
    by_batches, (count, rows, last) = await _peak(lambda: _drain(batches(query, 200)))

    assert (count, rows) == (ROWS // 200, ROWS)
    assert last.id == ids[-1]  # the whole list, in its order
    # Reading every id at once (what exports did) costs memory in proportion to the rows; the
    # cursor keeps one batch of 200 rows: a fraction of that, and the same for 2,000 rows as 40,000.
    assert by_batches < every_id / 6, (by_batches, every_id)
    few, (_, rows_of_few, _) = await _peak(
        lambda: _drain(batches(query.filter(siret__lt=f"{2_000:014d}"), 200))
    )
    assert rows_of_few == 2_000
    assert by_batches < few * 1.5 + 100_000, (by_batches, few)
