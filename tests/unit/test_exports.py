"""CSV for French spreadsheets and XLSX, with formula injection neutralised."""

from __future__ import annotations

import csv
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from backend.exports import Column, csv_lines, xlsx_path

COLUMNS = [
    Column("Nom", lambda r: r["name"]),
    Column("Créé le", lambda r: r["at"]),
    Column("Actif", lambda r: r["on"]),
]
ROWS = [
    {"name": "Dupont", "at": datetime(2026, 1, 15, 9, 5, tzinfo=UTC), "on": True},
    {"name": '=HYPERLINK("http://x")', "at": None, "on": False},
    {"name": 'a;b "c"', "at": datetime(2026, 7, 1, 22, 30, tzinfo=UTC), "on": True},
]


async def _rows() -> AsyncIterator[dict]:
    for row in ROWS:
        yield row


async def test_csv_has_a_bom_semicolons_paris_dates_and_no_formulas() -> None:
    data = b"".join([chunk async for chunk in csv_lines(COLUMNS, _rows())])
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Nom;Créé le;Actif"
    assert lines[1] == "Dupont;15/01/2026 10:05;Oui"  # UTC+1 in winter
    assert next(csv.reader([lines[2]], delimiter=";"))[0] == '\'=HYPERLINK("http://x")'
    assert lines[3] == '"a;b ""c""";02/07/2026 00:30;Oui'  # UTC+2 in summer


async def test_xlsx_holds_every_row_with_the_same_values() -> None:
    path = await xlsx_path(COLUMNS, _rows())
    try:
        sheet = load_workbook(path, read_only=True).active
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        os.unlink(path)
    assert values[0] == ["Nom", "Créé le", "Actif"]
    assert values[1] == ["Dupont", "15/01/2026 10:05", "Oui"]
    assert values[2][0].startswith("'=")
    assert len(values) == 4


def test_the_export_reader_opens_any_file_name_read_only(tmp_path) -> None:
    import sqlite3

    from backend.exports import read_only_connection

    path = tmp_path / "base de données #1?.sqlite3"
    with sqlite3.connect(path) as writer:
        writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        writer.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    reader = read_only_connection(str(path))
    try:
        assert reader.execute("SELECT id FROM t ORDER BY id").fetchall() == [(1,), (2,)]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.execute("INSERT INTO t VALUES (3)")
    finally:
        reader.close()
