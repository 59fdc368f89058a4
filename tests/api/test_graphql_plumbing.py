"""The conventions every later screen relies on: global IDs, errors, limits, transport."""

from __future__ import annotations

import base64

from tests.conftest import error_codes


async def test_node_without_a_session_answers_unauthenticated(gql) -> None:
    data = await gql.query("{ applications { id code } }")
    some_id = data["applications"][0]["id"]
    body = await gql.post("query($id: ID!) { node(id: $id) { id } }", {"id": some_id})
    assert body["data"] == {"node": None}
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_global_ids_are_opaque_and_distinct_per_type(gql) -> None:
    data = await gql.query("{ applications { id } profiles { id } ticketCategories { id } }")
    ids = [x["id"] for key in data for x in data[key]]
    assert len(ids) == len(set(ids))
    assert all(not i.isdigit() for i in ids)
    decoded = base64.b64decode(data["applications"][0]["id"]).decode()
    assert decoded.startswith("Application:")


async def test_a_malformed_id_is_a_validation_error(gql) -> None:
    body = await gql.post('{ node(id: "not-an-id") { id } }')
    assert body["data"] == {"node": None}
    assert error_codes(body) == ["VALIDATION"]


async def test_a_query_too_deep_is_refused_before_execution(gql) -> None:
    inner = "name"
    for _ in range(20):
        inner = f"category {{ subcategories {{ {inner} }} }}"
    body = await gql.post(f"{{ ticketCategories {{ subcategories {{ {inner} }} }} }}")
    assert "data" not in body or body["data"] is None
    assert error_codes(body) == ["QUERY_REFUSED"]
    assert "profondeur" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(gql) -> None:
    fields = " ".join(f"a{i}: applications {{ code }}" for i in range(120))
    body = await gql.post(f"{{ {fields} }}")
    assert error_codes(body) == ["QUERY_REFUSED"]


async def test_a_field_repeated_many_times_exceeds_the_token_limit(gql) -> None:
    body = await gql.post("{ applications { " + "code " * 6000 + "} }")
    assert error_codes(body) == ["QUERY_REFUSED"]


async def test_an_oversized_document_is_refused(gql) -> None:
    body = await gql.post("{ applications { code } }" + "#" * 30_000)
    assert error_codes(body) == ["QUERY_REFUSED"]


async def test_array_batching_is_refused(http) -> None:
    response = await http.post(
        "/graphql",
        json=[{"query": "{ applications { code } }"}, {"query": "{ profiles { code } }"}],
        headers={"X-Requested-With": "portail"},
    )
    assert response.status_code == 400


async def test_form_encoded_posts_are_refused(http) -> None:
    response = await http.post("/graphql", data={"query": "{ applications { code } }"})
    assert response.status_code == 400


async def test_queries_work_over_get_for_integrators(http) -> None:
    response = await http.get("/graphql", params={"query": "{ applications { code } }"})
    assert response.status_code == 200
    assert len(response.json()["data"]["applications"]) == 15


async def test_an_unknown_field_is_a_validation_error_with_its_position(gql) -> None:
    body = await gql.post("{ applications { nope } }")
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 18}]
    assert "nope" in body["errors"][0]["message"]


async def test_responses_carry_security_headers(http) -> None:
    response = await http.post("/graphql", json={"query": "{ applications { code } }"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_health_reports_the_database(http) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_graphiql_standard_introspection_query_passes_the_limits(gql) -> None:
    from graphql import get_introspection_query

    body = await gql.post(get_introspection_query(descriptions=True))
    assert "errors" not in body, body.get("errors")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_a_bad_variable_is_explained_not_masked(gql) -> None:
    body = await gql.post("query($id: ID!) { node(id: $id) { id } }", {"id": {"not": "an id"}})
    assert error_codes(body) == ["VALIDATION"]
    assert "Erreur interne" not in body["errors"][0]["message"]


async def test_a_request_body_over_the_limit_is_refused_unread(http) -> None:
    from backend.app import MAX_BODY_BYTES

    response = await http.post(
        "/graphql",
        content=b"x" * 16,
        headers={"Content-Type": "application/json", "Content-Length": str(MAX_BODY_BYTES + 1)},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_REFUSED"
