"""SIRENE stock-file importer: columns by header name, batches, newer rows only."""

from __future__ import annotations

import csv
import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from stdnum.fr import siret as siret_number

from backend.models import SireneEstablishment
from backend.seed.demo import SIRENE_SAMPLE
from backend.settings import Settings
from backend.sirene.importer import ImportStats, import_stock_file
from tests.models.helpers import count_writes

HEADER = [
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "codeCommuneEtablissement",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
]


def sample_rows() -> list[dict[str, str]]:
    with SIRENE_SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_sample_file_is_in_insee_format() -> None:
    with SIRENE_SAMPLE.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == HEADER
    rows = sample_rows()
    assert 25 <= len(rows) <= 35
    assert all(siret_number.is_valid(row["siret"]) for row in rows)
    assert all(row["siret"] == row["siren"] + row["nic"] for row in rows)
    assert any(row["etatAdministratifEtablissement"] == "F" for row in rows)
    assert any(row["siren"] == "356000000" for row in rows)


async def test_imports_the_sample(sqlite_db: Settings) -> None:
    seen: list[int] = []
    stats = await import_stock_file(SIRENE_SAMPLE, batch_size=7, progress=lambda s: seen.append(s.read))
    rows = sample_rows()
    assert stats == ImportStats(read=len(rows), created=len(rows))
    assert seen == sorted(seen) and seen[-1] == len(rows) and len(seen) == -(-len(rows) // 7)
    boulangerie = await SireneEstablishment.get(siret="81234567600017")
    assert boulangerie.name == "BOULANGERIE MARTIN ET FILS"
    assert boulangerie.is_active and boulangerie.siren == "812345676"
    assert boulangerie.address_line1 == "12 RUE DE LA REPUBLIQUE"
    assert (boulangerie.postal_code, boulangerie.city) == ("69002", "LYON 2EME ARRONDISSEMENT")
    assert boulangerie.updated_at == datetime(2025, 1, 14, 8, 31, 12, tzinfo=UTC)  # 09:31:12 in Paris
    closed = await SireneEstablishment.get(siret="81234567600025")
    assert not closed.is_active and closed.name == "AU PAIN DES TERREAUX"
    assert closed.address_line1 == "4 B PLACE DES TERREAUX"
    hidden = await SireneEstablishment.filter(is_diffusible=False).get()
    assert hidden.address_line1 == "" and hidden.city == ""
    assert await SireneEstablishment.filter(siren="356000000").count() == 1

    with count_writes() as writes:
        again = await import_stock_file(SIRENE_SAMPLE)
    assert again == ImportStats(read=len(rows), unchanged=len(rows))
    assert writes.statements == []


async def test_columns_are_read_by_header_name(sqlite_db: Settings, tmp_path: Path) -> None:
    rows = sample_rows()
    columns = [*HEADER, "codePaysEtrangerEtablissement"]
    random.Random(4).shuffle(columns)
    assert columns[:3] != HEADER[:3]
    path = write_csv(tmp_path / "StockEtablissement_utf8.csv", rows, columns)
    stats = await import_stock_file(path, batch_size=10)
    assert stats.created == len(rows)
    atelier = await SireneEstablishment.get(siret="84561237300017")
    assert atelier.name == "ATELIER NUMERIQUE DU RHONE"
    assert atelier.address_line2 == "BATIMENT C" and atelier.city == "VILLEURBANNE"


async def test_reads_the_zip_insee_publishes(sqlite_db: Settings, tmp_path: Path) -> None:
    archive = tmp_path / "StockEtablissement_utf8.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(SIRENE_SAMPLE, "StockEtablissement_utf8.csv")
    stats = await import_stock_file(archive)
    assert stats.created == len(sample_rows())


async def test_only_newer_rows_update(sqlite_db: Settings, tmp_path: Path) -> None:
    rows = sample_rows()
    await import_stock_file(write_csv(tmp_path / "first.csv", rows, HEADER))

    first, second = dict(rows[0]), dict(rows[2])
    first.update(
        dateDernierTraitementEtablissement="2026-02-01T10:00:00",
        etatAdministratifEtablissement="F",
        denominationUsuelleEtablissement="BOULANGERIE MARTIN",
    )
    second.update(
        dateDernierTraitementEtablissement="2020-01-01T10:00:00",
        denominationUsuelleEtablissement="ANCIEN NOM",
    )
    bad = {**rows[3], "siret": "123"}
    stats = await import_stock_file(write_csv(tmp_path / "second.csv", [first, second, bad], HEADER))
    assert stats == ImportStats(read=3, updated=1, unchanged=1, skipped=1)

    updated = await SireneEstablishment.get(siret=first["siret"])
    assert updated.name == "BOULANGERIE MARTIN" and not updated.is_active
    assert updated.updated_at == datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    kept = await SireneEstablishment.get(siret=second["siret"])
    assert kept.name == "ATELIER NUMERIQUE DU RHONE"


async def test_rejects_a_file_without_the_siret_column(sqlite_db: Settings, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("siren,denominationUniteLegale\n812345676,X\n", encoding="utf-8")
    with pytest.raises(ValueError, match="siret"):
        await import_stock_file(path)
