"""Query cost: each field counts 1, multiplied by the page size of every connection that encloses it.

Every response tells its cost (``extensions.cost``) so that an integrator sees how close a query
is to the ceiling before reaching it; above the ceiling, the query is refused before execution.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
from graphql import NamedTypeNode, OperationDefinitionNode, parse

from backend.app import create_app
from backend.schema import build_schema
from backend.schema.limits import DocumentShape
from backend.settings import PROJECT_ROOT, Settings, load_settings
from tests.conftest import GraphQLClient, error_codes

STRUCTURE_NAMES = "query($n: Int) { structures(first: $n) { edges { node { name } } } }"
NESTED = """{
  structures(first: 10) { edges { node { members(first: 10) { edges { node { id } } } } } }
}"""
# 100 structures × 100 members × (edges, node, id, user, firstName, lastName, email...) > 50 000
TOO_COSTLY = """{
  structures(first: 100) { edges { node {
    members(first: 100) { totalCount edges { cursor node { id status user { firstName lastName email } } } }
  } } }
}"""


def cost(body: dict) -> int:
    return body["extensions"]["cost"]["requested"]


async def test_every_response_reports_its_cost_and_the_ceiling(gql) -> None:
    body = await gql.post("{ applications { code name } }")
    assert "errors" not in body
    assert body["extensions"]["cost"] == {"requested": 3, "limit": 50_000}


async def test_fields_inside_a_connection_count_once_per_item_of_the_page(signed_in) -> None:
    # structures 1 + page × (edges 1 + node 1 + name 1)
    assert cost(await signed_in.post(STRUCTURE_NAMES, {"n": 5})) == 1 + 5 * 3
    assert cost(await signed_in.post(STRUCTURE_NAMES, {"n": 50})) == 1 + 50 * 3
    # Without `first`, the default page size counts.
    assert cost(await signed_in.post(STRUCTURE_NAMES)) == 1 + 20 * 3


async def test_nested_connections_multiply(signed_in) -> None:
    # members: 1 + 10 × 3; node: 1 + 31; edges: 1 + 32; structures: 1 + 10 × 33
    assert cost(await signed_in.post(NESTED)) == 331


async def test_a_query_above_the_ceiling_is_refused_before_execution(signed_in, count_queries) -> None:
    with count_queries() as counter:
        body = await signed_in.post(TOO_COSTLY)
    assert body.get("data") is None
    assert error_codes(body) == ["QUERY_REFUSED"]
    message = body["errors"][0]["message"]
    assert message.startswith("Requête refusée : coût estimé 100301, au-delà de 50000")
    assert "pages plus petites" in message
    assert body["extensions"]["cost"] == {"requested": 100_301, "limit": 50_000}
    # Only the session was looked up: no resolver ran.
    assert all(s.lstrip().upper().startswith(("SELECT", "UPDATE")) for s in counter.statements)
    assert not any("structure" in s.lower() for s in counter.statements), counter.statements
    # Smaller pages pass.
    smaller = TOO_COSTLY.replace("first: 100", "first: 20")
    body = await signed_in.post(smaller)
    assert "errors" not in body, body["errors"]
    assert cost(body) < 50_000


async def test_a_page_size_above_the_limit_is_still_a_validation_error(signed_in) -> None:
    """The cost counts at most 100 items a page: `first: 1000` gets the page limit's own answer."""
    body = await signed_in.post(STRUCTURE_NAMES, {"n": 1000})
    assert error_codes(body) == ["VALIDATION"]
    assert cost(body) == 1 + 100 * 3


async def test_the_ceiling_is_a_setting(db) -> None:
    assert load_settings({"PORTAIL_SECRET_KEY": "x", "PORTAIL_MAX_QUERY_COST": "40"}).max_query_cost == 40
    app = create_app(dataclasses.replace(db, max_query_cost=40), manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        gql = GraphQLClient(http)
        body = await gql.post("{ applications { code } }")
        assert body["extensions"]["cost"] == {"requested": 2, "limit": 40}
        fields = " ".join(f"a{i}: applications {{ code }}" for i in range(25))
        body = await gql.post(f"{{ {fields} }}")
        assert error_codes(body) == ["QUERY_REFUSED"]
        assert "coût estimé 50, au-delà de 40" in body["errors"][0]["message"]


def test_every_query_of_the_spa_stays_well_under_the_ceiling() -> None:
    """The SPA's documents, every Int variable (page sizes) at the page limit: under a fifth of it."""
    settings = Settings()
    files = sorted((PROJECT_ROOT / "frontend" / "src").rglob("*.graphql"))
    assert len(files) > 20
    document = parse("\n".join(Path(f).read_text() for f in files))
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    worst = {
        v.variable.name.value: settings.max_page_size
        for op in operations
        for v in op.variable_definitions or ()
        if isinstance(v.type, NamedTypeNode) and v.type.name.value == "Int"
    }
    shape = DocumentShape(build_schema(settings)._schema, document, worst, settings.max_page_size)
    costs = {op.name.value: s.cost for op, s in zip(operations, shape.operations, strict=True)}
    assert max(costs.values()) < settings.max_query_cost / 5, sorted(costs.items(), key=lambda c: -c[1])[:5]
