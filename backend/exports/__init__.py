"""Spreadsheet exports (CSV for French spreadsheets, XLSX), streamed.

A list screen's export is every row that matches its filters, not the page:
callers pass an async iterator of rows (see :func:`batches`) and a column
list; no row, not even its id, is held longer than its batch.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import anyio
from starlette.background import BackgroundTask
from starlette.responses import FileResponse, StreamingResponse

PARIS = ZoneInfo("Europe/Paris")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """A column: its French header and how to read the value from a row."""

    header: str
    value: Callable[[Any], Any]


def display(value: Any) -> Any:
    """Dates as JJ/MM/AAAA HH:MM in Europe/Paris, enums by value, None as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(PARIS)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    return value


def neutralise(text: str) -> str:
    """A cell that a spreadsheet would read as a formula is prefixed with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _cell(value: Any) -> str:
    shown = display(value)
    return neutralise(str(shown))


BATCH = 500


async def batches(queryset: Any, size: int | None = None) -> AsyncIterator[list[Any]]:
    """The rows of an ordered queryset, ``size`` at a time, in its order.

    The ordered ids come from a server-side cursor (:func:`ordered_ids`), ``size`` at a time, and
    each batch is read by primary key, without the list's filters: they chose those ids a moment
    before, in the same request, and repeated they made SQLite walk the filters' indexes rather
    than the primary key (0.14 s against 0.06 s for 500 tickets of the support queue). Related
    rows are for the caller to read per batch. Memory stays that of one batch whatever the number
    of rows, and time is linear: OFFSET paging would sort the whole result again for every batch.
    A row deleted meanwhile is skipped.
    """
    async for wanted in ordered_ids(queryset, size or BATCH):
        found = {row.id: row for row in await queryset.model.filter(id__in=wanted)}
        batch = [found[pk] for pk in wanted if pk in found]
        if batch:
            yield batch


async def ordered_ids(queryset: Any, size: int) -> AsyncIterator[list[int]]:
    """The ids of an ordered queryset, ``size`` at a time, read from a cursor on a connection of
    its own: one consistent snapshot of the list, never all of it in memory (a support agent's
    export is 660,000 tickets on bench L). SQLite: a read-only connection to the same file, read in a
    worker thread (WAL: writers go on). PostgreSQL: a pool connection in a read-only REPEATABLE READ
    transaction."""
    ids = queryset.values_list("id", flat=True)
    # Tortoise builds the statement it would run (``sql()`` gives no parameters): the same SQL
    # and parameters, executed through a cursor.
    ids._choose_db_if_not_chosen()
    ids._make_query()
    sql, params = ids.query.get_parameterized_sql()
    client = ids._db
    if client.capabilities.dialect == "postgres":
        async with client.acquire_connection() as connection:
            async with connection.transaction(isolation="repeatable_read", readonly=True):
                cursor = await connection.cursor(sql, *params)
                while rows := await cursor.fetch(size):
                    yield [row[0] for row in rows]
        return
    if client.filename == ":memory:":
        raise RuntimeError("Exports need a database file: a second connection to :memory: sees nothing.")
    reader = await anyio.to_thread.run_sync(read_only_connection, client.filename)
    try:
        cursor = await anyio.to_thread.run_sync(reader.execute, sql, params)
        while rows := await anyio.to_thread.run_sync(cursor.fetchmany, size):
            yield [row[0] for row in rows]
    finally:
        reader.close()


def read_only_connection(filename: str) -> sqlite3.Connection:
    """A read-only connection to the SQLite file, usable from the worker threads in turn."""
    uri = Path(filename).resolve().as_uri() + "?mode=ro"  # the path's characters escaped
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


async def csv_lines(columns: Sequence[Column], rows: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    """UTF-8 with BOM, `;` separator: what French spreadsheets open without an import dialog."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.header for c in columns])
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(c.value(row)) for c in columns])
        yield buffer.getvalue().encode()


async def xlsx_path(columns: Sequence[Column], rows: AsyncIterator[Any], sheet: str = "Export") -> str:
    """A write-only workbook in a temporary file (the caller deletes it)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.append([c.header for c in columns])
    async for row in rows:
        cells = []
        for column in columns:
            value = display(column.value(row))
            if isinstance(value, str):
                value = neutralise(value)
            cells.append(WriteOnlyCell(worksheet, value=value))
        worksheet.append(cells)
    handle, path = tempfile.mkstemp(prefix="portail-export-", suffix=".xlsx")
    os.close(handle)
    workbook.save(path)
    return path


def content_disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


async def export_response(
    fmt: str, filename: str, columns: Sequence[Column], rows: AsyncIterator[Any]
) -> StreamingResponse | FileResponse:
    """The HTTP answer for ``fmt`` "csv" or "xlsx" (``filename`` without extension)."""
    if fmt == "xlsx":
        path = await xlsx_path(columns, rows)
        return FileResponse(
            path,
            media_type=XLSX_MEDIA_TYPE,
            headers={"content-disposition": content_disposition(f"{filename}.xlsx")},
            background=BackgroundTask(os.unlink, path),
        )
    return StreamingResponse(
        csv_lines(columns, rows),
        media_type=CSV_MEDIA_TYPE,
        headers={"content-disposition": content_disposition(f"{filename}.csv")},
    )
