"""Role × field: each cell asserts the value is visible, or null with FORBIDDEN / UNAUTHENTICATED."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.app import create_app
from tests.conftest import GraphQLClient
from tests.world import PASSWORD, World, build_world

VISIBLE, FORBIDDEN, UNAUTHENTICATED = "visible", "FORBIDDEN", "UNAUTHENTICATED"

STRUCTURE_QUERY = """
query($id: ID!, $service: ID!) {
  structure(id: $id) {
    name identifier city email phone version
    address { city }
    principalManager { lastName email }
    services { totalCount }
    members { totalCount }
  }
  service: node(id: $service) { ... on Service { code description version } }
}
"""

EVERYONE = ("manager", "member", "consultant", "service_member", "stranger", "support", "admin")
ORG_CONSULTATION = {"manager", "member", "consultant", "admin"}

CASES: list[tuple[str, str, str]] = [
    # public directory fields: any signed-in user
    *[(role, "structure.name", VISIBLE) for role in EVERYONE],
    *[(role, "structure.city", VISIBLE) for role in EVERYONE],
    *[(role, "structure.services.totalCount", VISIBLE) for role in EVERYONE],
    *[(role, "service.code", VISIBLE) for role in EVERYONE],
    ("anonymous", "structure", UNAUTHENTICATED),
    # Organisation consultation on the structure
    *[
        (role, field, VISIBLE if role in ORG_CONSULTATION else FORBIDDEN)
        for role in EVERYONE
        for field in ("structure.email", "structure.phone", "structure.version", "structure.address")
    ],
    *[
        (role, "structure.principalManager", VISIBLE if role in ORG_CONSULTATION else FORBIDDEN)
        for role in EVERYONE
    ],
    # members: Organisation consultation on the structure, or on a service (its members only)
    *[
        (role, "structure.members.totalCount", VISIBLE if role in ORG_CONSULTATION | {"service_member"} else FORBIDDEN)
        for role in EVERYONE
    ],
    # service details: Organisation consultation on the structure or on that service
    *[
        (role, "service.description", VISIBLE if role in ORG_CONSULTATION | {"service_member"} else FORBIDDEN)
        for role in EVERYONE
    ],
]


async def _client(app: Any, world: World | None, role: str) -> GraphQLClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    client = GraphQLClient(http)
    if role != "anonymous":
        body = await client.post(
            "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { errors { code message } } }",
            {"e": world.email(role), "p": PASSWORD},
        )
        assert body["data"]["logIn"]["errors"] == [], body
    return client


def _at(data: Any, path: list[str]) -> Any:
    for key in path:
        if data is None:
            return None
        data = data[key]
    return data


def _error_at(body: dict[str, Any], path: list[str]) -> str | None:
    for error in body.get("errors", []):
        if [p for p in error.get("path", []) if isinstance(p, str)] == path:
            return (error.get("extensions") or {}).get("code")
    return None


@pytest.fixture
async def world(db) -> World:
    return await build_world()


@pytest.mark.parametrize(("role", "path", "expected"), CASES, ids=[f"{r}-{p}" for r, p, _ in CASES])
async def test_role_field_matrix(db, world: World, role: str, path: str, expected: str) -> None:
    from strawberry import relay

    app = create_app(db, manage_db=False)
    client = await _client(app, world, role)
    try:
        variables = {
            "id": str(relay.GlobalID("Structure", str(world.structure.id))),
            "service": str(relay.GlobalID("Service", str(world.service.id))),
        }
        body = await client.post(STRUCTURE_QUERY, variables)
        keys = path.split(".")
        value = _at(body["data"], keys)
        if expected == VISIBLE:
            assert value is not None, body
            assert _error_at(body, keys) is None, body
        else:
            assert value is None, body
            # the error sits on the first field of the path that was refused
            codes = {_error_at(body, keys[:i]) for i in range(1, len(keys) + 1)} - {None}
            assert codes == {expected}, body
    finally:
        await client.http.aclose()


async def test_the_structure_list_counts_only_what_the_viewer_may_see(db, world: World) -> None:
    app = create_app(db, manage_db=False)
    client = await _client(app, world, "service_member")
    try:
        data = await client.query(
            'query($id: ID!) { structure(id: $id) { members { totalCount edges { node { user { firstName } } } } } }',
            {"id": str(__import__("strawberry").relay.GlobalID("Structure", str(world.structure.id)))},
        )
        members = data["structure"]["members"]
        assert members["totalCount"] == 1
        assert [e["node"]["user"]["firstName"] for e in members["edges"]] == ["Service_member"]
    finally:
        await client.http.aclose()
