"""Load runs: the operations of ``bench/operations.py`` played by real HTTP clients.

    python -m bench.run --dataset bench/out/sqlite-S/dataset.json [--workers 1 2] [--clients 1 8]

For each server configuration (``portail serve --workers W``; several workers need PostgreSQL)
and each concurrency (C httpx.AsyncClient loops over loopback), each operation is played for
``--requests`` requests after a warm-up: p50/p95/p99 latency, requests per second, errors.
The hand-written SQL baseline (``bench/baseline.py``) serves the read operations through the same
Starlette + uvicorn + orjson stack and is measured the same way, right after.

SQL statements per request are counted in-process, not over HTTP: the same application
(``create_app`` on the same database) is called once per operation through httpx's ASGI
transport while a logging handler counts the statements Tortoise sends (as the query-count tests
do). Counting in the served process would need a debug switch in the application; this keeps it
out of the production code and the timed runs.

Server memory: the resident set (VmRSS) of the server process and its workers, polled from /proc
every 100 ms; the peak of the sum is reported.

Results go to ``<dataset dir>/results.json``; ``bench/report.py`` turns them into RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.operations import (
    TABS,
    Operation,
    State,
    operations,
    payload_errors,
    resolved_fields,
)

ROOT = Path(__file__).resolve().parent.parent
PORTAIL = str(ROOT / ".venv" / "bin" / "portail")
PYTHON = str(ROOT / ".venv" / "bin" / "python")


# --- data the operations need ---------------------------------------------------------------------


def fetch(url: str, sql: str) -> list[tuple]:
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("://", 1)[1])
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    import asyncpg

    async def go() -> list[tuple]:
        conn = await asyncpg.connect(url)
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()

    return asyncio.run(go())


def prepare_state(dataset: dict[str, Any]) -> State:
    url = dataset["database_url"]
    managed = dataset["managed_structures"]
    big = dataset["big_structure_id"]
    state = State(dataset=dataset)
    (state.ticket_number,) = fetch(
        url,
        f"SELECT number FROM ticket WHERE issuer_structure_id <= {managed} AND number IS NOT NULL "
        "ORDER BY id LIMIT 1",
    )[0]
    state.submit_subcategory = fetch(
        url,
        "SELECT category_id, id FROM ticket_subcategory WHERE is_business = FALSE AND requires_object = FALSE "
        "ORDER BY id LIMIT 1",
    )[0]
    state.managed = list(range(1, managed + 1))
    state.versions = dict(fetch(url, f"SELECT id, version FROM structure WHERE id <= {managed}"))
    # (member, consultation profile of an application they hold nothing of) on the big structure
    rows = fetch(
        url,
        f"""SELECT m.user_id, p.id FROM membership m
            JOIN profile p ON p.level = 'CONSULTATION'
            WHERE m.structure_id = {big} AND m.status = 'ACTIVE' AND m.service_id IS NULL AND m.user_id > 3
              AND NOT EXISTS (SELECT 1 FROM habilitation h WHERE h.user_id = m.user_id
                              AND h.structure_id = {big} AND h.service_id IS NULL
                              AND h.application_id = p.application_id)
            ORDER BY m.user_id DESC, p.id""",
    )
    state.habilitation_candidates = list(rows)
    return state


# --- SQL statements per request (in-process) --------------------------------------------------------


class StatementCounter(logging.Handler):
    """Counts the statements Tortoise logs on tortoise.db_client (as tests/conftest.py does)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.args[0] if record.args and isinstance(record.args[0], str) else record.msg
        if isinstance(text, str) and text.lstrip().upper().startswith(
            ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
        ):
            self.count += 1


async def count_statements(dataset: dict[str, Any], ops: list[Operation], state: State) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = dataset["database_url"]
    sys.path.insert(0, str(ROOT))
    from backend.app import create_app
    from backend.settings import load_settings

    app = create_app(load_settings())
    logger = logging.getLogger("tortoise.db_client")
    out: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for op in ops:
                headers = auth_headers(dataset, op.viewer)
                variables = op.variables(state)
                sid = variables.pop("_sid", None)
                counter = StatementCounter()
                logger.setLevel(logging.DEBUG)
                logger.addHandler(counter)
                try:
                    response = await http.post(
                        "/graphql", json={"query": op.query, "variables": variables}, headers=headers
                    )
                finally:
                    logger.removeHandler(counter)
                    logger.setLevel(logging.WARNING)
                body = response.json()
                after_write(state, op, sid, body)
                out[op.name] = {
                    "statements": counter.count,
                    "status": response.status_code,
                    "errors": (body.get("errors") or []) + payload_errors(body.get("data")),
                    "fields": resolved_fields(body.get("data")),
                    "bytes": len(response.content),
                }
    return out


async def compare_with_baseline(
    dataset: dict[str, Any], ops: list[Operation], state: State, port: int
) -> dict[str, Any]:
    """Portal (in-process, same database) and baseline (over HTTP) bodies, byte for byte, per read."""
    os.environ["DATABASE_URL"] = dataset["database_url"]
    from backend.app import create_app
    from backend.settings import load_settings

    app = create_app(load_settings())
    out: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://bench") as portal,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as baseline,
        ):
            for op in ops:
                if op.kind == "write":
                    continue
                headers = auth_headers(dataset, op.viewer)
                body = {"query": op.query, "variables": op.variables(state)}
                ours = await portal.post("/graphql", json=body, headers=headers)
                cost = (ours.json().get("extensions") or {}).get("cost")
                state.costs[op.name] = cost
                theirs = await baseline.post("/graphql", json={**body, "_cost": cost}, headers=headers)
                same = ours.content == theirs.content
                out[op.name] = {"same_bytes": same, "bytes": len(ours.content)}
                if not same:
                    at = next(
                        (
                            i
                            for i, (a, b) in enumerate(zip(ours.content, theirs.content, strict=False))
                            if a != b
                        ),
                        min(len(ours.content), len(theirs.content)),
                    )
                    out[op.name]["ours"] = ours.content[max(0, at - 80) : at + 80].decode(errors="replace")
                    out[op.name]["baseline"] = theirs.content[max(0, at - 80) : at + 80].decode(
                        errors="replace"
                    )
    return out


def auth_headers(dataset: dict[str, Any], email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {dataset['tokens'][email]['token']}"}


def after_write(state: State, op: Operation, sid: int | None, body: dict[str, Any]) -> None:
    """Remember acknowledged writes (the soak checks them afterwards) and structure versions."""
    data = body.get("data") or {}
    if op.name == "updateStructure" and sid is not None:
        structure = (data.get("updateStructure") or {}).get("structure")
        if structure and not data["updateStructure"]["errors"]:
            state.versions[sid] = structure["version"]
            state.written["phone"].append((sid, structure["phone"], structure["version"]))
        else:  # refused: read the current version back before using it again
            state.versions[sid] = int(
                fetch(state.dataset["database_url"], f"SELECT version FROM structure WHERE id = {sid}")[0][0]
            )
    elif op.name == "submitTicket":
        ticket = (data.get("submitTicket") or {}).get("ticket")
        if ticket:
            state.written["ticket"].append(ticket["number"])
    elif op.name == "addHabilitation":
        hab = (data.get("addHabilitation") or {}).get("habilitation")
        if hab:
            state.written["habilitation"].append(hab["id"])


# --- servers ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server subprocess on loopback, and a poller of its (and its workers') resident memory."""

    def __init__(self, command: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.log = open(ROOT / "bench" / "out" / f"server-{port}.log", "w")
        self.proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.peak_rss = 0
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def wait_ready(self, path: str = "/graphql") -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited: see {self.log.name}")
            try:
                httpx.get(f"http://127.0.0.1:{self.port}{path}", timeout=1)
                self._thread.start()
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise SystemExit("server not ready after 60 s")

    def rss(self) -> int:
        """Sum of VmRSS (bytes) of the server and its children."""
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            pids += [int(p) for p in children]
        except OSError:
            pass
        total = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                pass
        return total

    def _poll(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            value = self.rss()
            self.peak_rss = max(self.peak_rss, value)
            self.samples.append((round(time.monotonic() - start, 1), value))
            self._stop.wait(0.1)

    def stop(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def start_portail(dataset: dict[str, Any], workers: int) -> Server:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": dataset["database_url"], "PORTAIL_PORT": str(port)}
    # A data set generated by an older checkout gets the migrations added since (as `make run` does).
    subprocess.run([PORTAIL, "migrate"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    server = Server([PORTAIL, "serve", "--workers", str(workers), "--port", str(port)], env, port)
    server.wait_ready()
    return server


def start_baseline(dataset: dict[str, Any], workers: int) -> Server:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": dataset["database_url"]}
    command = [PYTHON, "-m", "bench.baseline", "--port", str(port), "--workers", str(workers)]
    server = Server(command, env, port)
    server.wait_ready("/health")
    return server


# --- load ---------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def play(
    port: int,
    dataset: dict[str, Any],
    op: Operation,
    state: State,
    clients: int,
    requests: int,
    path: str,
    baseline: bool = False,
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    left = requests
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60) as http:
        headers = auth_headers(dataset, op.viewer)

        async def one() -> None:
            variables = op.variables(state)
            sid = variables.pop("_sid", None)
            t0 = time.perf_counter()
            response = await http.post(
                path, json={"query": op.query, "variables": variables}, headers=headers
            )
            elapsed = time.perf_counter() - t0
            body = response.json() if response.status_code == 200 else {}
            after_write(state, op, sid, body)
            problems = (body.get("errors") or []) + payload_errors(body.get("data"))
            if response.status_code != 200 or problems:
                errors.append(f"{response.status_code} {str(problems)[:200]}")
            latencies.append(elapsed)

        async def client() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await one()

        for _ in range(min(5, requests)):  # warm-up, not measured
            await one()
        latencies.clear()
        t0 = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        wall = time.perf_counter() - t0
    ms = [v * 1000 for v in latencies]
    return {
        "requests": len(ms),
        "p50_ms": round(percentile(ms, 0.50), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "p99_ms": round(percentile(ms, 0.99), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else None,
        "rps": round(len(ms) / wall, 1) if wall else None,
        "errors": len(errors),
        "error_samples": errors[:3],
    }


def field_floor(rows: int = 200, fields: int = 10, repeat: int = 20) -> dict[str, float]:
    """graphql-core's cost per resolved field: plain synchronous default resolvers over dicts."""
    from graphql import (
        GraphQLField,
        GraphQLList,
        GraphQLObjectType,
        GraphQLSchema,
        GraphQLString,
        graphql_sync,
    )

    item = GraphQLObjectType("Item", {f"f{i}": GraphQLField(GraphQLString) for i in range(fields)})
    data = [{f"f{i}": f"v{i}" for i in range(fields)} for _ in range(rows)]
    schema = GraphQLSchema(
        GraphQLObjectType("Query", {"items": GraphQLField(GraphQLList(item), resolve=lambda *_: data)})
    )
    query = "{ items { " + " ".join(f"f{i}" for i in range(fields)) + " } }"
    graphql_sync(schema, query)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = graphql_sync(schema, query)
        best = min(best, time.perf_counter() - t0)
    assert not result.errors
    return {"us_per_field": round(best * 1e6 / (rows * (fields + 1)), 3), "rows": rows, "fields": fields}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--workers", type=int, nargs="+", default=None)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", "200")))
    parser.add_argument("--only", nargs="*", default=None, help="Operation names (all by default).")
    args = parser.parse_args()
    dataset = json.loads(args.dataset.read_text())
    is_sqlite = dataset["database_url"].startswith("sqlite")
    workers = args.workers or ([1] if is_sqlite else [1, 2])
    if is_sqlite and any(w > 1 for w in workers):
        raise SystemExit("Several workers need PostgreSQL (portail serve refuses them on SQLite).")
    ops = [op for op in operations() if not args.only or op.name in args.only]
    state = prepare_state(dataset)
    results: dict[str, Any] = {"dataset": {k: v for k, v in dataset.items() if k != "tokens"}, "runs": []}

    print("SQL statements per request (in-process)...", flush=True)
    results["statements"] = asyncio.run(count_statements(dataset, ops, state))
    for name, info in results["statements"].items():
        print(
            f"  {name:<24} {info['statements']:>3} statements  {info['fields']:>5} fields  errors={info['errors'][:1]}"
        )
    results["field_floor"] = field_floor()

    reads = [op for op in ops if op.kind != "write"]
    for w in workers:
        for label, starter, path, played in (
            ("portail", start_portail, "/graphql", ops),
            ("baseline", start_baseline, "/graphql", reads),
        ):
            server = starter(dataset, w)
            try:
                if label == "baseline":
                    results.setdefault("same_bytes", {}).update(
                        asyncio.run(compare_with_baseline(dataset, ops, state, server.port))
                    )
                    for name, info in results["same_bytes"].items():
                        print(f"  same bytes as the portal: {name:<24} {info['same_bytes']}", flush=True)
                for c in args.clients:
                    for op in played:
                        stats = asyncio.run(
                            play(server.port, dataset, op, state, c, args.requests, path, label == "baseline")
                        )
                        stats.update(server=label, workers=w, clients=c, op=op.name, kind=op.kind)
                        results["runs"].append(stats)
                        print(
                            f"  {label:<8} w={w} c={c} {op.name:<18} p50 {stats['p50_ms']:>7} ms  "
                            f"p95 {stats['p95_ms']:>7} ms  p99 {stats['p99_ms']:>7} ms  "
                            f"{stats['rps']:>7} req/s  errors {stats['errors']}",
                            flush=True,
                        )
                results.setdefault("peak_rss", {})[f"{label}-w{w}"] = server.peak_rss
            finally:
                server.stop()
    results["written"] = {k: len(v) for k, v in state.written.items()}
    out = args.dataset.parent / "results.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"Results in {out}")


if __name__ == "__main__":
    main()

__all__ = ["TABS"]
