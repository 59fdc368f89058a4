"""Soak: many concurrent clients mixing reads and writes for a bounded time, on loopback only.

    python -m bench.soak --dataset bench/out/sqlite-S/dataset.json [--clients 200] [--seconds 300]

(``make soak``: SOAK_CLIENTS, SOAK_SECONDS, SOAK_SIZE.) Each client loops: 80 % reads (the bench's
read operations, at random), 20 % writes (submitTicket, addHabilitation, updateStructure). Checks:

- zero 5xx (and zero transport errors): every response is counted by status;
- zero lost writes: every acknowledged write is read back from the database afterwards (each
  ticket number returned by submitTicket exists with its title; each habilitation id exists; each
  structure's phone is the last one acknowledged, at the acknowledged version);
- memory flat: the server's resident memory is sampled every 100 ms; the report gives it per
  tenth of the run and the growth between the second tenth and the last.

The server is ``portail serve`` on 127.0.0.1 (one worker on SQLite, two on PostgreSQL).
Results go to ``<dataset dir>/soak.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.operations import operations, payload_errors
from bench.run import after_write, auth_headers, fetch, percentile, prepare_state, start_portail


async def soak(port: int, dataset: dict[str, Any], clients: int, seconds: float) -> dict[str, Any]:
    state = prepare_state(dataset)
    ops = operations()
    reads = [op for op in ops if op.kind != "write"]
    writes = [op for op in ops if op.kind == "write"]
    statuses: Counter[str] = Counter()
    business_errors: Counter[str] = Counter()
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=120) as http:

        async def client(seed: int) -> None:
            rnd = random.Random(seed)
            while time.monotonic() < deadline:
                op = rnd.choice(writes) if rnd.random() < 0.2 else rnd.choice(reads)
                if op.name == "addHabilitation" and not state.habilitation_candidates:
                    continue
                if op.name == "updateStructure" and not any(v > 0 for v in state.versions.values()):
                    await asyncio.sleep(0.01)
                    continue
                variables = op.variables(state)
                sid = variables.pop("_sid", None)
                t0 = time.perf_counter()
                try:
                    response = await http.post(
                        "/graphql",
                        json={"query": op.query, "variables": variables},
                        headers=auth_headers(dataset, op.viewer),
                    )
                except httpx.HTTPError as error:
                    statuses[f"transport:{type(error).__name__}"] += 1
                    if sid is not None:  # unknown outcome: re-read before reusing the structure
                        after_write(state, op, sid, {})
                    continue
                latencies.append(time.perf_counter() - t0)
                statuses[str(response.status_code)] += 1
                body = response.json() if response.status_code == 200 else {}
                for error in (body.get("errors") or []) + payload_errors(body.get("data")):
                    code = (error.get("extensions") or {}).get("code") or error.get("code") or "?"
                    business_errors[f"{op.name}:{code}"] += 1
                after_write(state, op, sid, body)

        await asyncio.gather(*(client(i) for i in range(clients)))
    ms = [v * 1000 for v in latencies]
    return {
        "requests": len(ms),
        "rps": round(len(ms) / seconds, 1),
        "p50_ms": round(percentile(ms, 0.5), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "statuses": dict(statuses),
        "server_errors": sum(
            n for s, n in statuses.items() if s.startswith("5") or s.startswith("transport")
        ),
        "business_errors": dict(business_errors),
        "lost_writes": verify(dataset, state),
        "acknowledged": {k: len(v) for k, v in state.written.items()},
    }


def verify(dataset: dict[str, Any], state: Any) -> dict[str, Any]:
    """Every acknowledged write, read back from the database."""
    url = dataset["database_url"]
    lost: dict[str, Any] = {}
    numbers = state.written["ticket"]
    found: set[str] = set()
    for i in range(0, len(numbers), 500):
        batch = ",".join(f"'{n}'" for n in numbers[i : i + 500])
        found |= (
            {r[0] for r in fetch(url, f"SELECT number FROM ticket WHERE number IN ({batch})")}
            if batch
            else set()
        )
    lost["tickets"] = sorted(set(numbers) - found)[:20]
    ids = [int(base64.b64decode(g).decode().split(":")[1]) for g in state.written["habilitation"]]
    present: set[int] = set()
    for i in range(0, len(ids), 500):
        batch = ",".join(str(n) for n in ids[i : i + 500])
        present |= (
            {r[0] for r in fetch(url, f"SELECT id FROM habilitation WHERE id IN ({batch})")}
            if batch
            else set()
        )
    lost["habilitations"] = sorted(set(ids) - present)[:20]
    last: dict[int, tuple[str, int]] = {}
    for sid, phone, version in state.written["phone"]:
        if sid not in last or version > last[sid][1]:
            last[sid] = (phone, version)
    wrong = []
    if last:
        rows = fetch(
            url, f"SELECT id, phone, version FROM structure WHERE id IN ({','.join(map(str, last))})"
        )
        for sid, phone, version in rows:
            if (phone, version) != last[sid]:
                wrong.append({"structure": sid, "acknowledged": last[sid], "stored": (phone, version)})
    lost["structure_updates"] = wrong[:20]
    lost["total"] = len(set(numbers) - found) + len(set(ids) - present) + len(wrong)
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=int(os.environ.get("SOAK_CLIENTS", "200")))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", "300")))
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    seconds = min(args.seconds, 3600)  # bounded
    dataset = json.loads(args.dataset.read_text())
    workers = args.workers or (1 if dataset["database_url"].startswith("sqlite") else 2)
    server = start_portail(dataset, workers)
    print(f"Soak: {args.clients} clients for {seconds:.0f} s against {workers} worker(s)...", flush=True)
    try:
        result = asyncio.run(soak(server.port, dataset, args.clients, seconds))
    finally:
        server.stop()
    samples = server.samples
    tenths = []
    if samples:
        end = samples[-1][0] or 1
        for k in range(10):
            window = [v for t, v in samples if k * end / 10 <= t < (k + 1) * end / 10] or [0]
            tenths.append(round(max(window) / 2**20, 1))
    result.update(
        clients=args.clients,
        seconds=seconds,
        workers=workers,
        rss_mb_per_tenth=tenths,
        peak_rss_mb=round(server.peak_rss / 2**20, 1),
        rss_growth_mb=round(tenths[-1] - tenths[1], 1) if len(tenths) == 10 else None,
    )
    target = args.dataset.parent / "soak.json"
    target.write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "business_errors"}, indent=1))
    print(f"Results in {target}")


if __name__ == "__main__":
    main()
