"""Fuzzing: operations generated from the schema (hypothesis-graphql), queries and mutations, sent
to the app over HTTP by a signed-in manager of a small world. Whatever the input, the answer is a
GraphQL answer: never a 5xx nor an INTERNAL_SERVER_ERROR (an unexpected exception, masked), never a
traceback, SQL or a Python exception's name, and every error carries an ``extensions.code``.

A bounded, reproducible run by default (FUZZ_EXAMPLES operations of each kind); `make fuzz` runs
many more, with fresh random seeds: ``FUZZ_EXAMPLES=2000 pytest tests/api/test_fuzz.py``.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import os
import re
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC

import graphql
import httpx
import hypothesis_graphql
import pytest
import tortoise.exceptions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from backend import models
from backend.schema import export_sdl
from tests.tickets_world import TicketWorld, build_ticket_world, gid

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "80"))
REPRODUCIBLE = "FUZZ_EXAMPLES" not in os.environ

#: Operations the fuzzer once found breaking the server, replayed first on every run.
REGRESSIONS = [
    '{ ticket(number: "000000000000000000000") { number } }',  # longer than the column: ORM ValidationError
]

#: Mutations that would end the fuzzer's own session (the rest may do whatever they are allowed to).
SPARED = {"logOut", "endSession", "deactivateMyAccount"}


def _exception_names() -> set[str]:
    """Names of the exceptions that the server's insides could raise."""
    names = {
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }
    for module in (tortoise.exceptions, sqlite3):
        names |= {n for n, v in vars(module).items() if isinstance(v, type) and issubclass(v, BaseException)}
    try:
        import asyncpg.exceptions

        names |= {
            n
            for n, v in vars(asyncpg.exceptions).items()
            if isinstance(v, type) and issubclass(v, BaseException)
        }
    except ImportError:  # pragma: no cover
        pass
    return names - {"Warning"}  # a French word too


EXCEPTION_NAME = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _exception_names()))) + r")\b")
INSIDES = re.compile(
    r"Traceback \(most recent call last\)|File \"/|\.py\", line \d|"
    r"\bSELECT\b.+\bFROM\b|\bINSERT INTO\b|\bUPDATE\b.+\bSET\b|\bDELETE FROM\b|"
    r"sqlite3|aiosqlite|asyncpg|psycopg|tortoise|pypika|"
    r"no such (table|column)|constraint failed|violates .* constraint|syntax error at or near",
    re.S,
)


@pytest.fixture
async def tw(db, app) -> AsyncIterator[TicketWorld]:
    world = await build_ticket_world(app)
    yield world
    await world.close()


async def _known_ids(tw: TicketWorld) -> list[str]:
    """Real global IDs of the world, so that generated operations reach past the ID decoding."""
    ticket = await tw.submit("manager")
    ids = [ticket["id"]]
    for type_name, model in (
        ("Structure", models.Structure),
        ("Service", models.Service),
        ("User", models.User),
        ("TicketCategory", models.TicketCategory),
        ("TicketSubcategory", models.TicketSubcategory),
        ("Membership", models.Membership),
        ("Habilitation", models.Habilitation),
        ("Profile", models.Profile),
        ("Application", models.Application),
    ):
        ids += [gid(type_name, pk) for pk in await model.all().limit(4).values_list("id", flat=True)]
    return ids


def _scalars(ids: list[str]) -> dict[str, st.SearchStrategy]:
    # Dates are valid ones: a malformed literal stops the whole document at validation
    # (GRAPHQL_VALIDATION_FAILED), so the fuzzer would never reach a resolver with it.
    return {
        "ID": st.one_of(st.sampled_from(ids), st.text(max_size=40)).map(nodes.String),
        "Date": st.dates().map(nodes.String),
        "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())),
        # Files travel in multipart requests: in a JSON document, an Upload is whatever else it is sent as.
        "Upload": st.text(max_size=20).map(nodes.String),
    }


def check(response: httpx.Response, query: str) -> None:
    where = f"\n--- operation:\n{query}\n--- answer ({response.status_code}):\n{response.text[:2000]}"
    assert response.status_code < 500, where
    text = response.text
    assert not INSIDES.search(text), where
    names = EXCEPTION_NAME.findall(text)
    assert not names, f"exception names {names}" + where
    try:
        body = response.json()
    except json.JSONDecodeError:
        raise AssertionError("not JSON" + where) from None
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code, "an error without extensions.code" + where
        assert code != "INTERNAL_SERVER_ERROR", "an unexpected exception (masked)" + where


async def _fuzz(tw: TicketWorld, strategy_of) -> None:
    manager = await tw.as_("manager")
    ids = await _known_ids(tw)
    strategy = strategy_of(export_sdl(), _scalars(ids))
    loop = asyncio.get_running_loop()
    headers = {"X-Requested-With": "portail"}
    for query in REGRESSIONS:
        check(await manager.http.post("/graphql", json={"query": query}, headers=headers), query)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=REPRODUCIBLE,
        suppress_health_check=list(HealthCheck),
    )
    @given(query=strategy)
    def run(query: str) -> None:
        sent = manager.http.post("/graphql", json={"query": query}, headers=headers)
        response = asyncio.run_coroutine_threadsafe(sent, loop).result(timeout=60)
        check(response, query)

    # Hypothesis drives from a worker thread; the requests run on the app's own event loop.
    await asyncio.to_thread(run)


async def test_generated_queries_never_break_the_server(tw: TicketWorld) -> None:
    await _fuzz(tw, lambda sdl, scalars: hypothesis_graphql.queries(sdl, custom_scalars=scalars))


async def test_generated_mutations_never_break_the_server(tw: TicketWorld) -> None:
    mutation_type = graphql.build_schema(export_sdl()).mutation_type
    assert mutation_type is not None
    fields = [name for name in mutation_type.fields if name not in SPARED]
    assert len(fields) > 40 and "updateStructure" in fields
    await _fuzz(
        tw, lambda sdl, scalars: hypothesis_graphql.mutations(sdl, fields=fields, custom_scalars=scalars)
    )
