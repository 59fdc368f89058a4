"""Import INSEE's SIRENE stock file of establishments (StockEtablissement).

The file (``StockEtablissement_utf8.csv``, or the ``.zip`` INSEE publishes)
holds tens of millions of rows: it is streamed with :class:`csv.DictReader`,
columns are found by their header name (INSEE adds and reorders columns
between releases), and rows are upserted by batches, so memory stays constant.
An existing row is only rewritten when the file's
``dateDernierTraitementEtablissement`` is newer than the stored one.

Reading runs in a worker thread, writing on the event loop: the server keeps
answering during a long import.

:func:`import_legal_units` reads INSEE's StockUniteLegale the same way and
gives the establishments of each SIREN their legal unit's company name
(``denominationUniteLegale``; for a person, first and last name). Run it
after the establishments, each time they are imported.
"""

from __future__ import annotations

import asyncio
import csv
import inspect
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from backend.models import SireneEstablishment

PARIS = ZoneInfo("Europe/Paris")
#: Columns the importer cannot do without.
REQUIRED_COLUMNS = ("siret", "etatAdministratifEtablissement")
LEGAL_UNIT_COLUMNS = ("siren", "denominationUniteLegale")
#: INSEE writes this in the fields of establishments that are not (fully) diffusible.
NOT_DIFFUSED = "[ND]"
UPDATE_FIELDS = (
    "siren",
    "name",
    "is_active",
    "is_diffusible",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "updated_at",
    "imported_at",
)

#: typeVoieEtablissement codes (INSEE) and the words they stand for.
STREET_TYPES = {
    "ALL": "ALLEE",
    "AV": "AVENUE",
    "BD": "BOULEVARD",
    "CAR": "CARREFOUR",
    "CHE": "CHEMIN",
    "CHS": "CHAUSSEE",
    "CITE": "CITE",
    "COR": "CORNICHE",
    "CRS": "COURS",
    "DOM": "DOMAINE",
    "DSC": "DESCENTE",
    "ECA": "ECART",
    "ESP": "ESPLANADE",
    "FG": "FAUBOURG",
    "GR": "GRANDE RUE",
    "HAM": "HAMEAU",
    "HLE": "HALLE",
    "IMP": "IMPASSE",
    "LD": "LIEU-DIT",
    "LOT": "LOTISSEMENT",
    "MAR": "MARCHE",
    "MTE": "MONTEE",
    "PARC": "PARC",
    "PAS": "PASSAGE",
    "PL": "PLACE",
    "PLAN": "PLAN",
    "PLN": "PLAINE",
    "PLT": "PLATEAU",
    "PRO": "PROMENADE",
    "PRV": "PARVIS",
    "QUA": "QUARTIER",
    "QUAI": "QUAI",
    "RES": "RESIDENCE",
    "RLE": "RUELLE",
    "ROC": "ROCADE",
    "RPT": "ROND-POINT",
    "RTE": "ROUTE",
    "RUE": "RUE",
    "SEN": "SENTIER",
    "SQ": "SQUARE",
    "TPL": "TERRE-PLEIN",
    "TRA": "TRAVERSE",
    "VLA": "VILLA",
    "VLGE": "VILLAGE",
}


@dataclass
class ImportStats:
    read: int = 0
    created: int = 0
    updated: int = 0
    #: Already known with the same or a newer dateDernierTraitementEtablissement.
    unchanged: int = 0
    #: Rows without a 14-digit SIRET (or 9-digit SIREN for legal units).
    skipped: int = 0
    #: Bytes of the (uncompressed) file read so far, and its size: for a progress bar.
    position: int = field(default=0, compare=False)
    size: int = field(default=0, compare=False)


Progress = Callable[[ImportStats], Any]


def _clean(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value == NOT_DIFFUSED else value


def _parse_timestamp(value: str) -> datetime | None:
    """INSEE's timestamps are Paris local time without offset, e.g. 2024-05-14T09:31:12."""
    value = _clean(value)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PARIS)
    return parsed.astimezone(UTC)


def establishment_values(row: dict[str, str]) -> dict[str, Any] | None:
    """The model's fields for one row of the stock file (None when the row has no valid SIRET)."""
    siret = _clean(row.get("siret")).replace(" ", "")
    if len(siret) != 14 or not siret.isdigit():
        return None
    street_type = _clean(row.get("typeVoieEtablissement")).upper()
    line1 = " ".join(
        part
        for part in (
            _clean(row.get("numeroVoieEtablissement")),
            _clean(row.get("indiceRepetitionEtablissement")),
            STREET_TYPES.get(street_type, street_type),
            _clean(row.get("libelleVoieEtablissement")),
        )
        if part
    )
    name = (
        _clean(row.get("denominationUsuelleEtablissement"))
        or _clean(row.get("enseigne1Etablissement"))
        or _clean(row.get("denominationUniteLegale"))  # present in joined extracts only
    )
    return {
        "siret": siret,
        "siren": (_clean(row.get("siren")) or siret[:9])[:9],
        "name": name[:255],
        "is_active": _clean(row.get("etatAdministratifEtablissement")).upper() == "A",
        "is_diffusible": _clean(row.get("statutDiffusionEtablissement")).upper() != "P",
        "address_line1": line1[:255],
        "address_line2": _clean(row.get("complementAdresseEtablissement"))[:255] or None,
        "postal_code": _clean(row.get("codePostalEtablissement"))[:16],
        "city": _clean(row.get("libelleCommuneEtablissement"))[:100],
        "country": "FR",
        "updated_at": _parse_timestamp(row.get("dateDernierTraitementEtablissement", "")),
    }


def legal_unit_name(unit: dict[str, Any]) -> str:
    """Raison sociale of a legal unit (StockUniteLegale row or the API's ``uniteLegale``)."""

    def clean(key: str) -> str:
        value = str(unit.get(key) or "").strip()
        return "" if value == "[ND]" else value

    name = clean("denominationUniteLegale") or clean("denominationUsuelle1UniteLegale")
    if name:
        return name
    first = clean("prenomUsuelUniteLegale") or clean("prenom1UniteLegale")
    last = clean("nomUsageUniteLegale") or clean("nomUniteLegale")
    return " ".join(part for part in (first, last) if part)


class _StockReader:
    """Blocking reader of the CSV (plain, or the first .csv inside a zip), used from a thread."""

    def __init__(
        self, path: Path, required: tuple[str, ...] = REQUIRED_COLUMNS, kind: str = "StockEtablissement"
    ) -> None:
        self._archive: zipfile.ZipFile | None = None
        self._stream: IO[str]
        self._binary: IO[bytes]
        if zipfile.is_zipfile(path):
            self._archive = zipfile.ZipFile(path)
            members = [info for info in self._archive.infolist() if info.filename.lower().endswith(".csv")]
            if not members:
                self._archive.close()
                raise ValueError(f"{path}: no .csv file in the archive")
            self.size = members[0].file_size
            self._binary = self._archive.open(members[0])
        else:
            self.size = path.stat().st_size
            self._binary = path.open("rb")
        self._stream = io.TextIOWrapper(self._binary, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]
        self._reader = csv.DictReader(self._stream)
        header = self._reader.fieldnames or []
        missing = [column for column in required if column not in header]
        if missing:
            self.close()
            raise ValueError(f"{path}: not a {kind} file (missing {', '.join(missing)})")
        self._rows: Iterator[dict[str, str]] = iter(self._reader)

    def position(self) -> int:
        try:
            return min(self._binary.tell(), self.size)
        except (OSError, ValueError):
            return 0

    def next_batch(self, size: int) -> list[dict[str, str]]:
        batch: list[dict[str, str]] = []
        for row in self._rows:
            batch.append(row)
            if len(batch) >= size:
                break
        return batch

    def close(self) -> None:
        self._stream.close()
        if self._archive is not None:
            self._archive.close()


async def _import_batch(rows: list[dict[str, str]], stats: ImportStats) -> None:
    stats.read += len(rows)
    by_siret: dict[str, dict[str, Any]] = {}
    for row in rows:
        values = establishment_values(row)
        if values is None:
            stats.skipped += 1
            continue
        previous = by_siret.get(values["siret"])
        if previous is not None:
            stats.unchanged += 1  # the same SIRET twice in a batch: keep the newer row
            if _newer(previous["updated_at"], values["updated_at"]):
                continue
        by_siret[values["siret"]] = values
    if not by_siret:
        return

    now = datetime.now(UTC)
    async with in_transaction() as conn:
        existing = {
            siret: (pk, updated_at)
            for pk, siret, updated_at in await SireneEstablishment.filter(siret__in=list(by_siret))
            .using_db(conn)
            .values_list("id", "siret", "updated_at")
        }
        to_create: list[SireneEstablishment] = []
        to_update: list[SireneEstablishment] = []
        for siret, values in by_siret.items():
            known = existing.get(siret)
            if known is None:
                to_create.append(SireneEstablishment(**values, imported_at=now))
            elif _newer(values["updated_at"], known[1]):
                row = SireneEstablishment(**values, imported_at=now)
                row.id = known[0]
                row._saved_in_db = True
                to_update.append(row)
            else:
                stats.unchanged += 1
        if to_create:
            await SireneEstablishment.bulk_create(to_create, using_db=conn)
        if to_update:
            await SireneEstablishment.bulk_update(to_update, fields=list(UPDATE_FIELDS), using_db=conn)
    stats.created += len(to_create)
    stats.updated += len(to_update)


def _newer(candidate: datetime | None, current: datetime | None) -> bool:
    """Whether a row processed at ``candidate`` replaces one processed at ``current``."""
    if candidate is None:
        return False
    return current is None or candidate > current


async def import_stock_file(
    path: str | Path, batch_size: int = 1000, progress: Progress | None = None
) -> ImportStats:
    """Stream the stock file at ``path`` into :class:`SireneEstablishment`, ``batch_size`` rows at a time.

    ``progress`` (a function or coroutine function) receives the running
    :class:`ImportStats` after each batch.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    stats = ImportStats()
    reader = await asyncio.to_thread(_StockReader, Path(path))
    stats.size = reader.size
    try:
        while batch := await asyncio.to_thread(reader.next_batch, batch_size):
            await _import_batch(batch, stats)
            stats.position = reader.position()
            await _report(progress, stats)
    finally:
        await asyncio.to_thread(reader.close)
    return stats


async def _report(progress: Progress | None, stats: ImportStats) -> None:
    if progress is not None:
        result = progress(stats)
        if inspect.isawaitable(result):
            await result


async def _import_legal_unit_batch(rows: list[dict[str, str]], stats: ImportStats) -> None:
    stats.read += len(rows)
    names: dict[str, str] = {}
    for row in rows:
        siren = _clean(row.get("siren")).replace(" ", "")
        name = legal_unit_name(row)[:255]
        if len(siren) != 9 or not siren.isdigit() or not name:
            stats.skipped += 1
            continue
        names[siren] = name
    if not names:
        return
    async with in_transaction() as conn:
        establishments = (
            await SireneEstablishment.filter(siren__in=list(names)).using_db(conn).only("id", "siren", "name")
        )
        changed = []
        for establishment in establishments:
            if establishment.name != names[establishment.siren]:
                establishment.name = names[establishment.siren]
                changed.append(establishment)
        if changed:
            await SireneEstablishment.bulk_update(changed, fields=["name"], using_db=conn)
    stats.updated += len(changed)
    stats.unchanged += len(establishments) - len(changed)


async def import_legal_units(
    path: str | Path, batch_size: int = 1000, progress: Progress | None = None
) -> ImportStats:
    """Stream INSEE's StockUniteLegale at ``path`` and name each SIREN's establishments after it.

    ``updated`` counts establishments renamed, ``unchanged`` those already so
    named; legal units without establishment in the table are only ``read``.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    stats = ImportStats()
    reader = await asyncio.to_thread(_StockReader, Path(path), LEGAL_UNIT_COLUMNS, "StockUniteLegale")
    stats.size = reader.size
    try:
        while batch := await asyncio.to_thread(reader.next_batch, batch_size):
            await _import_legal_unit_batch(batch, stats)
            stats.position = reader.position()
            await _report(progress, stats)
    finally:
        await asyncio.to_thread(reader.close)
    return stats
