"""bench/RESULTS.md and bench/p95.png from the JSON files the other bench scripts wrote.

    python -m bench.report

Reads ``bench/out/<database>-<size>/{dataset,results,extras,soak}.json`` for every data set found
and writes one table per size × database (portal and baseline at 1 and 8 clients, ratios), the
SQL statements per request, the cost per resolved field beside graphql-core's floor, the SIRENE
import, the exports and the soak. Sizes or databases without results are listed as not run.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SIZES = ("S", "M", "L")
DATABASES = ("sqlite", "postgres")
TARGET_P95 = {"single": 50, "count": 50, "list": 100}  # ms, one client (issue 7)
TARGET_RATIO = {"single": 3, "count": 3, "list": 10}


def load(path: Path) -> Any:
    return json.loads(path.read_text()) if path.exists() else None


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    versions = []
    for package in ("strawberry-graphql", "graphql-core", "tortoise-orm", "starlette", "uvicorn", "orjson", "aiosqlite", "asyncpg", "httpx"):  # fmt: skip
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    sqlite = subprocess.run(
        ["python3", "-c", "import sqlite3; print(sqlite3.sqlite_version)"], capture_output=True, text=True
    ).stdout.strip()
    return [
        f"- Machine: {os.cpu_count()} CPU ({cpu}), {int(mem) // 1024} MB RAM, {platform.platform()}",
        f"- Python {platform.python_version()}, SQLite {sqlite}; {', '.join(versions)}",
    ]


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def run_table(results: dict[str, Any]) -> list[str]:
    runs = results["runs"]
    by = {(r["server"], r["workers"], r["clients"], r["op"]): r for r in runs}
    statements = results.get("statements", {})
    same = results.get("same_bytes", {})
    lines = []
    workers = sorted({r["workers"] for r in runs})
    clients = sorted({r["clients"] for r in runs})
    for w in workers:
        for c in clients:
            lines += [
                "",
                f"**{w} worker(s), {c} client(s)**",
                "",
                "| operation | kind | SQL/req | fields | p50 ms | p95 ms | p99 ms | req/s | errors "
                "| baseline p50 | baseline p95 | ratio p50 | same bytes | p95 target |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|:-:|",
            ]
            for r in [
                r for r in runs if r["server"] == "portail" and r["workers"] == w and r["clients"] == c
            ]:
                base = by.get(("baseline", w, c, r["op"]))
                ratio = r["p50_ms"] / base["p50_ms"] if base and base["p50_ms"] else None
                target = TARGET_P95.get(r["kind"])
                if c > 1 and r["kind"] == "single":
                    target = 100
                elif c > 1:
                    target = None
                verdict = (
                    "–"
                    if target is None
                    else ("ok" if r["p95_ms"] <= target else f"**{r['p95_ms'] / target:.1f}×**")
                )
                info = statements.get(r["op"], {})
                lines.append(
                    f"| {r['op']} | {r['kind']} | {info.get('statements', '–')} | {info.get('fields', '–')} "
                    f"| {fmt(r['p50_ms'])} | {fmt(r['p95_ms'])} | {fmt(r['p99_ms'])} | {fmt(r['rps'])} | {r['errors']} "
                    f"| {fmt(base['p50_ms']) if base else '–'} | {fmt(base['p95_ms']) if base else '–'} "
                    f"| {fmt(ratio) if ratio else '–'} | {'yes' if same.get(r['op'], {}).get('same_bytes') else ('–' if r['kind'] == 'write' else 'NO')} "
                    f"| {verdict} |"
                )
    peaks = results.get("peak_rss", {})
    if peaks:
        lines += [
            "",
            "Server peak resident memory: " + ", ".join(f"{k} {v / 2**20:.0f} MB" for k, v in peaks.items()),
        ]
    return lines


def field_costs(results: dict[str, Any]) -> list[str]:
    """(ours p50 - baseline p50) / resolved fields, one client, one worker, beside graphql-core's floor."""
    runs = {(r["server"], r["workers"], r["clients"], r["op"]): r for r in results["runs"]}
    floor = results.get("field_floor", {}).get("us_per_field")
    lines = [
        "",
        f"Cost per resolved field (1 worker, 1 client): (portal p50 − baseline p50) / fields. graphql-core's floor "
        f"for plain synchronous fields, measured in the same run: **{fmt(floor, 2)} µs/field**.",
        "",
        "| operation | fields | µs / field | × floor |",
        "|---|---:|---:|---:|",
    ]
    for name, info in results.get("statements", {}).items():
        ours, base = runs.get(("portail", 1, 1, name)), runs.get(("baseline", 1, 1, name))
        if not ours or not base or not info.get("fields"):
            continue
        cost = (ours["p50_ms"] - base["p50_ms"]) * 1000 / info["fields"]
        lines.append(f"| {name} | {info['fields']} | {cost:.1f} | {cost / floor:.0f} |" if floor else "")
    return lines


def plot(found: dict[tuple[str, str], dict[str, Any]]) -> str | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for (db, _size), results in found.items():
        structures = results["dataset"]["counts"]["structure"]
        for r in results["runs"]:
            if r["server"] == "portail" and r["workers"] == 1 and r["clients"] == 1:
                points.setdefault((db, r["op"]), []).append((structures, r["p95_ms"]))
    if not points:
        return None
    fig, ax = plt.subplots(figsize=(10, 6))
    for (db, op), values in sorted(points.items()):
        values.sort()
        ax.plot(
            [v[0] for v in values], [v[1] for v in values], marker="o", linestyle="-" if db == "sqlite" else "--",
            label=f"{op} ({db})",
        )  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("structures in the data set (S = 1,000, M = 10,000, L = 100,000)")
    ax.set_ylabel("p95 latency, ms (1 client, 1 worker)")
    ax.set_title("p95 against data-set size, per operation")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    target = ROOT / "bench" / "p95.png"
    fig.savefig(target, dpi=110)
    return target.name


def main() -> None:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `make bench` (`python -m bench.report`) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from "
        "`bench/out/*/`. How it is measured: `bench/run.py` (operations: `bench/operations.py`), baseline: "
        "`bench/baseline.py`, data sets: `bench/generate.py`.",
        "",
        *machine(),
        "",
    ]
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text().strip(), ""]
    not_run = []
    for size in SIZES:
        for db in DATABASES:
            directory = OUT / f"{db}-{size}"
            dataset, results = load(directory / "dataset.json"), load(directory / "results.json")
            if not results:
                not_run.append(f"{size} on {db}")
                continue
            found[(db, size)] = results
            counts = dataset["counts"] if dataset else results["dataset"]["counts"]
            lines += [
                f"## {size} on {db}",
                "",
                "Data set: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
                + (f" (generated in {dataset.get('total_seconds')} s)" if dataset else ""),
            ]  # fmt: skip
            lines += run_table(results)
            lines += field_costs(results)
            extras = load(directory / "extras.json")
            if extras:
                imp = extras["sirene_import"]
                lines += [
                    "",
                    f"SIRENE import (`portail import-sirene`, fresh database): {imp['rows']:,} rows, "
                    f"{imp['file_bytes'] / 2**20:.1f} MB file, {imp['seconds']} s, **{imp['rows_per_second']:,} rows/s**, "
                    f"importer peak RSS **{imp['peak_rss_mb']} MB**.",
                    "",
                    "| export | rows | MB | s | server RSS before (MB) | peak during (MB) |",
                    "|---|---:|---:|---:|---:|---:|",
                ]
                for e in extras["exports"]:
                    lines.append(
                        f"| `{e['path']}` | {e['rows']:,} | {e['bytes'] / 2**20:.1f} | {e['seconds']} "
                        f"| {e['rss_before_mb']} | {e['peak_rss_mb']} |"
                    )
            soak = load(directory / "soak.json")
            if soak:
                lines += [
                    "",
                    f"Soak (`make soak`): {soak['clients']} clients, {soak['seconds']:.0f} s, {soak['workers']} worker(s), "
                    f"80 % reads / 20 % writes: {soak['requests']:,} requests ({soak['rps']} req/s), p50 {soak['p50_ms']} ms, "
                    f"p95 {soak['p95_ms']} ms, p99 {soak['p99_ms']} ms; statuses {soak['statuses']}; **5xx/transport errors "
                    f"{soak['server_errors']}**; acknowledged writes {soak['acknowledged']}, **lost {soak['lost_writes']['total']}**; "
                    f"server RSS per tenth of the run (MB) {soak['rss_mb_per_tenth']}, growth 2nd→last tenth "
                    f"**{soak['rss_growth_mb']} MB**, peak {soak['peak_rss_mb']} MB.",
                ]
                if soak.get("business_errors"):
                    lines.append(
                        f"Business errors answered (expected under contention): {soak['business_errors']}"
                    )
            lines.append("")
    image = plot(found)
    if image:
        lines += [
            "## p95 against data-set size",
            "",
            f"![p95 per operation against data-set size]({image})",
            "",
        ]
    if not_run:
        lines += [
            "## Not run",
            "",
            "No results for: " + ", ".join(not_run) + " (see the notes above for why).",
            "",
        ]
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines))
    print(f"Wrote bench/RESULTS.md{' and bench/' + image if image else ''}")


if __name__ == "__main__":
    main()
