"""SIRENE import throughput and export memory, for the report.

    python -m bench.extras --dataset bench/out/sqlite-S/dataset.json [--sirene-rows N]

1. SIRENE import: writes an INSEE-shaped StockEtablissement CSV of N rows (default: the data set's
   SIRENE row count: 10,000 for S, 100,000 for M, 1,000,000 for L) with valid SIRETs, then runs
   ``portail import-sirene`` on a fresh database of the same kind (a new SQLite file; on
   PostgreSQL, the data set's database after emptying ``sirene_establishment``) and reports rows
   per second and the importer's peak resident memory (VmHWM of the importer process). Memory must not grow with the file: compare the figure across sizes.
2. Exports: ``GET /exports/tickets-emis.csv`` (the manager), ``/exports/tickets-recus.csv`` (the
   support agent) and ``/exports/utilisateurs.csv`` against ``portail serve``, streamed and counted;
   reports rows, bytes, seconds and the server's peak resident memory during each export next to
   its resident memory before. Constant memory means the peak does not grow with the row count.

Results go to ``<dataset dir>/extras.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.generate import CITIES, STREETS, WORDS, siret
from bench.run import ROOT, auth_headers, start_portail

PORTAIL = str(ROOT / ".venv" / "bin" / "portail")
HEADER = (
    "siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,trancheEffectifsEtablissement,"
    "dateDernierTraitementEtablissement,etablissementSiege,complementAdresseEtablissement,numeroVoieEtablissement,"
    "indiceRepetitionEtablissement,typeVoieEtablissement,libelleVoieEtablissement,codePostalEtablissement,"
    "libelleCommuneEtablissement,codeCommuneEtablissement,etatAdministratifEtablissement,enseigne1Etablissement,"
    "denominationUsuelleEtablissement,activitePrincipaleEtablissement"
).split(",")


def write_stock_file(path: Path, rows: int) -> None:
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for i in range(rows):
            number = siret(i)
            postal, city = CITIES[i % len(CITIES)]
            street = STREETS[i % len(STREETS)].split(" ", 1)
            out.writerow(
                [
                    number[:9], number[9:], number, "P" if i % 29 == 0 else "O", "2015-03-02", "11",
                    f"2025-01-{i % 28 + 1:02d}T09:31:12", "true" if i % 3 == 0 else "false", "", str(i % 120 + 1),
                    "", street[0][:4], street[1], postal, city, "69382", "F" if i % 11 == 0 else "A", "",
                    f"{WORDS[i % len(WORDS)].upper()} {i}", "10.71C",
                ]
            )  # fmt: skip


def sirene_import(dataset: dict[str, Any], rows: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        stock = Path(tmp) / "StockEtablissement.csv"
        write_stock_file(stock, rows)
        url = dataset["database_url"]
        if url.startswith("sqlite"):
            url = f"sqlite://{Path(tmp) / 'import.sqlite3'}"
            env = {**os.environ, "DATABASE_URL": url}
            subprocess.run([PORTAIL, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
        else:
            env = {**os.environ, "DATABASE_URL": url}
            import asyncpg

            async def empty() -> None:
                conn = await asyncpg.connect(url)
                await conn.execute("DELETE FROM sirene_establishment")
                await conn.close()

            asyncio.run(empty())
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [PORTAIL, "import-sirene", str(stock)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        peak_kb = 0
        while proc.poll() is None:  # VmHWM: the importer's own peak resident set, read while it runs
            try:
                for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak_kb = max(peak_kb, int(line.split()[1]))
            except OSError:
                pass
            time.sleep(0.05)
        seconds = time.monotonic() - t0
        output = proc.stdout.read().decode() if proc.stdout else ""
        return {
            "rows": rows,
            "file_bytes": stock.stat().st_size,
            "seconds": round(seconds, 1),
            "rows_per_second": round(rows / seconds),
            "peak_rss_mb": round(peak_kb / 1024, 1),
            "returncode": proc.returncode,
            "last_output": (output.strip().splitlines() or [""])[-1][:200],
        }


async def export(port: int, dataset: dict[str, Any], path: str, viewer: str, server: Any) -> dict[str, Any]:
    rss_before = server.rss()
    server.peak_rss = rss_before
    rows = size = 0
    t0 = time.monotonic()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600) as http:
        async with http.stream("GET", path, headers=auth_headers(dataset, viewer)) as response:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                rows += chunk.count(b"\n")
            status = response.status_code
    return {
        "path": path,
        "status": status,
        "rows": max(0, rows - 1),
        "bytes": size,
        "seconds": round(time.monotonic() - t0, 2),
        "rss_before_mb": round(rss_before / 2**20, 1),
        "peak_rss_mb": round(server.peak_rss / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--sirene-rows", type=int, default=None)
    args = parser.parse_args()
    dataset = json.loads(args.dataset.read_text())
    out: dict[str, Any] = {}
    rows = args.sirene_rows or dataset["counts"]["sirene_establishment"]
    print(f"SIRENE import of {rows:,} rows...", flush=True)
    out["sirene_import"] = sirene_import(dataset, rows)
    print(f"  {out['sirene_import']}", flush=True)
    server = start_portail(dataset, 1)
    try:
        out["exports"] = []
        for path, viewer in (
            ("/exports/tickets-emis.csv?tab=CLOSED", "manager@bench.test"),
            ("/exports/tickets-recus.csv", "support@bench.test"),
            ("/exports/utilisateurs.csv", "manager@bench.test"),
        ):
            result = asyncio.run(export(server.port, dataset, path, viewer, server))
            out["exports"].append(result)
            print(f"  {result}", flush=True)
    finally:
        server.stop()
    target = args.dataset.parent / "extras.json"
    target.write_text(json.dumps(out, indent=2))
    print(f"Results in {target}")


if __name__ == "__main__":
    main()
