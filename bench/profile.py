"""A pyinstrument profile of one operation's hot path, in-process (same app, same database).

    python -m bench.profile --dataset bench/out/sqlite-S/dataset.json members_page [--requests 20]

Writes ``bench/profiles/<operation>-<database>-<size>.txt`` (pyinstrument's text tree).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path

import httpx

from bench.operations import operations
from bench.run import ROOT, auth_headers, prepare_state


async def profile(dataset: dict, name: str, requests: int) -> Path:
    from pyinstrument import Profiler

    state = prepare_state(dataset)
    os.environ["DATABASE_URL"] = dataset["database_url"]
    from backend.app import create_app
    from backend.settings import load_settings

    op = next(o for o in operations() if o.name == name)
    app = create_app(load_settings())
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            body = {"query": op.query, "variables": op.variables(state)}
            for _ in range(3):
                await http.post("/graphql", json=body, headers=auth_headers(dataset, op.viewer))
            profiler = Profiler(interval=0.0005, async_mode="enabled")
            profiler.start()
            for _ in range(requests):
                await http.post("/graphql", json=body, headers=auth_headers(dataset, op.viewer))
            profiler.stop()
    target = ROOT / "bench" / "profiles" / f"{name}-{dataset['database']}-{dataset['size']}.txt"
    target.parent.mkdir(exist_ok=True)
    target.write_text(profiler.output_text(unicode=False, color=False))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("operation")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    print(asyncio.run(profile(json.loads(args.dataset.read_text()), args.operation, args.requests)))


if __name__ == "__main__":
    main()
