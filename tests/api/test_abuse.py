"""GraphQL abuse is refused before execution: one clear QUERY_REFUSED error, and no resolver runs.

"No resolver ran" is read in the database: an anonymous client has no session to look up, and
`applications` (the field every abusive document below repeats) reads its table once per request,
so a refused request sends no SQL statement at all. The CSRF cases use a session cookie: there the
proof is that the mutation changed nothing.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from backend import models
from backend.app import create_app
from tests.conftest import GraphQLClient, error_codes

SMALL = "{ applications { code } }"


async def refused_unread(gql: GraphQLClient, count_queries: Any, query: str, **kwargs: Any) -> str:
    """Post ``query``; assert one QUERY_REFUSED error, no data and no SQL; return the message."""
    with count_queries() as counter:
        body = await gql.post(query, **kwargs)
    assert body.get("data") is None, body
    assert error_codes(body) == ["QUERY_REFUSED"], body
    assert counter.count == 0, counter.statements
    return body["errors"][0]["message"]


async def refused_over_http(response: httpx.Response, counter: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert "data" not in body
    assert error_codes(body) == ["QUERY_REFUSED"]
    assert counter.count == 0, counter.statements
    return body["errors"][0]["message"]


async def test_the_same_small_query_does_reach_the_database(gql, count_queries) -> None:
    """The yardstick of this file: an accepted query runs its resolver, which reads the database."""
    with count_queries() as counter:
        data = await gql.query(SMALL)
    assert len(data["applications"]) == 15
    assert counter.count >= 1


# ------------------------------------------------------------------------------- document shape


async def test_more_than_a_hundred_aliases_are_refused(gql, count_queries) -> None:
    fields = " ".join(f"a{i}: applications {{ code }}" for i in range(120))
    message = await refused_unread(gql, count_queries, f"{{ {fields} }}")
    assert message == "Requête refusée : 120 alias, au plus 30 sont acceptés."


async def test_a_field_repeated_five_hundred_times_is_refused(gql, count_queries) -> None:
    message = await refused_unread(gql, count_queries, "{ applications { " + "code " * 500 + "} }")
    assert message == "Requête refusée : un même champ est demandé 500 fois, au plus 10."


async def test_a_field_repeated_through_fragments_is_counted_too(gql, count_queries) -> None:
    spreads = "...F " * 300
    query = f"{{ applications {{ {spreads} }} }} fragment F on Application {{ code }}"
    message = await refused_unread(gql, count_queries, query)
    assert "300 fois" in message


async def test_fifty_repeated_directives_are_refused(gql, count_queries) -> None:
    query = "{ applications { code " + "@include(if: true) " * 50 + "} }"
    message = await refused_unread(gql, count_queries, query)
    assert message == "Requête refusée : 50 directives, au plus 10."


async def test_a_query_twenty_levels_deep_is_refused(gql, count_queries) -> None:
    inner = "name"
    for _ in range(10):
        inner = f"category {{ subcategories {{ {inner} }} }}"
    query = f"{{ ticketCategories {{ subcategories {{ {inner} }} }} }}"
    message = await refused_unread(gql, count_queries, query)
    assert message == "Requête refusée : profondeur 23 au-delà de 12."


async def test_depth_hidden_in_fragments_is_counted(gql, count_queries) -> None:
    fragments = " ".join(
        f"fragment L{i} on TicketSubcategory {{ category {{ subcategories {{ ...L{i + 1} }} }} }}"
        for i in range(8)
    )
    query = (
        "{ ticketCategories { subcategories { ...L0 } } } "
        + fragments
        + " fragment L8 on TicketSubcategory { name }"
    )
    message = await refused_unread(gql, count_queries, query)
    assert "profondeur" in message


async def test_circular_fragments_are_refused(gql, count_queries) -> None:
    query = """
    { applications { ...A } }
    fragment A on Application { code ...B }
    fragment B on Application { name ...A }
    """
    message = await refused_unread(gql, count_queries, query)
    assert message == "Requête refusée : le fragment « A » se contient lui-même."


async def test_a_chain_of_hundreds_of_fragments_is_refused(gql, count_queries) -> None:
    chain = " ".join(f"fragment F{i} on Application {{ ...F{i + 1} }}" for i in range(400))
    query = f"{{ applications {{ ...F0 }} }} {chain} fragment F400 on Application {{ code }}"
    message = await refused_unread(gql, count_queries, query)
    assert message == "Requête refusée : fragments imbriqués trop profondément."


async def test_a_document_over_the_token_limit_is_refused(gql, count_queries) -> None:
    message = await refused_unread(gql, count_queries, "{ applications { " + "id " * 6000 + "} }")
    assert message == "Requête refusée : le document dépasse 5000 jetons."


async def test_an_oversized_document_is_refused(gql, count_queries) -> None:
    message = await refused_unread(gql, count_queries, SMALL + "#" * 30_000)
    assert message == "Requête refusée : le document dépasse 20000 octets."


# ------------------------------------------------------------------------------------ transport


async def test_array_batching_is_refused(http, count_queries) -> None:
    with count_queries() as counter:
        response = await http.post(
            "/graphql",
            json=[{"query": SMALL}, {"query": "{ profiles { code } }"}],
            headers={"X-Requested-With": "portail"},
        )
    message = await refused_over_http(response, counter, 400)
    assert message == "Requête refusée : un seul document GraphQL par requête (pas de lot)."


async def test_a_mutation_over_get_is_refused(http, count_queries) -> None:
    with count_queries() as counter:
        response = await http.get(
            "/graphql",
            params={"query": 'mutation { requestPasswordReset(email: "alice@example.org") { ok } }'},
        )
    message = await refused_over_http(response, counter, 400)
    assert message == "Requête refusée : une mutation s'envoie en POST, jamais en GET."


RENAME = 'mutation { updateMyAccount(input: {firstName: "Mallory"}) { errors { code } } }'


@pytest.mark.parametrize(
    ("content_type", "encode"),
    [
        ("application/x-www-form-urlencoded", lambda query: httpx.QueryParams({"query": query}).__str__()),
        ("text/plain", lambda query: json.dumps({"query": query})),
    ],
    ids=["form-encoded", "text-plain"],
)
async def test_a_cross_site_post_with_the_session_cookie_changes_nothing(
    signed_in, count_queries, content_type, encode
) -> None:
    """What a foreign page's <form> (or a "simple" fetch) can send with the victim's cookie."""
    with count_queries() as counter:
        response = await signed_in.http.post(
            "/graphql", content=encode(RENAME).encode(), headers={"Content-Type": content_type}
        )
    assert response.status_code == 400, response.text
    assert error_codes(response.json()) == ["QUERY_REFUSED"]
    # The only statements are the middleware's look-up of the session: nothing was written.
    assert all(s.lstrip().upper().startswith("SELECT") for s in counter.statements), counter.statements
    assert (await models.User.get(email="alice@example.org")).first_name == "Alice"
    viewer = await signed_in.query("{ viewer { user { firstName } } }")
    assert viewer["viewer"]["user"]["firstName"] == "Alice"


# --------------------------------------------------------------------------------- by settings


def client_of(settings: Any, **changes: Any) -> GraphQLClient:
    app = create_app(dataclasses.replace(settings, **changes), manage_db=False)
    return GraphQLClient(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    )


async def test_introspection_is_refused_when_turned_off(db, count_queries) -> None:
    gql = client_of(db, introspection=False)
    try:
        message = await refused_unread(gql, count_queries, get_introspection_query())
        assert message == "Requête refusée : l'introspection du schéma est désactivée sur ce serveur."
        # Hidden in a fragment, or asking for one type: refused as well.
        await refused_unread(
            gql, count_queries, "{ ...Q } fragment Q on Query { __schema { queryType { name } } }"
        )
        await refused_unread(gql, count_queries, '{ __type(name: "Structure") { fields { name } } }')
        # __typename is not introspection of the schema: clients rely on it.
        assert (await gql.query("{ __typename }")) == {"__typename": "Query"}
    finally:
        await gql.http.aclose()


async def test_field_suggestions_are_off_in_production_mode(db, count_queries) -> None:
    production, development = client_of(db, production=True), client_of(db, production=False)
    try:
        with count_queries() as counter:
            body = await production.post("{ applications { cod } }")
        assert [e["message"] for e in body["errors"]] == ["Cannot query field 'cod' on type 'Application'."]
        assert body.get("data") is None
        assert counter.count == 0
        # The same mistake in development mode gets its hint, so the difference is the setting's.
        body = await development.post("{ applications { cod } }")
        assert "Did you mean 'code'" in body["errors"][0]["message"]
    finally:
        await production.http.aclose()
        await development.http.aclose()
