"""Spreadsheet exports (CSV for French spreadsheets, XLSX), streamed.

A list screen's export is every row that matches its filters, not the page:
callers pass an async iterator of rows (see :func:`batches`) and a column
list; no row is held longer than its batch (only the ordered ids, 8 bytes a
row, are kept for the whole export).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from array import array
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

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

    The ordered ids come first, in one statement, kept in an array (8 bytes a row); then each
    batch is read by primary key through the same queryset (its filters and joins). Linear time:
    OFFSET paging would sort the whole result again for every batch, quadratic on a large export.
    A row deleted meanwhile is skipped.
    """
    size = size or BATCH
    ids = array("q", await queryset.values_list("id", flat=True))
    for start in range(0, len(ids), size):
        wanted = ids[start : start + size].tolist()
        found = {row.id: row for row in await queryset.filter(id__in=wanted)}
        batch = [found[pk] for pk in wanted if pk in found]
        if batch:
            yield batch


async def chunks(queryset: Any, size: int | None = None) -> AsyncIterator[Any]:
    """The rows of an ordered queryset one by one, read ``size`` at a time (see :func:`batches`)."""
    async for batch in batches(queryset, size):
        for row in batch:
            yield row


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
