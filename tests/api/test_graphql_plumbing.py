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


async def test_queries_work_over_get_for_integrators(http) -> None:
    response = await http.get("/graphql", params={"query": "{ applications { code } }"})
    assert response.status_code == 200
    assert len(response.json()["data"]["applications"]) == 15


async def test_an_unknown_field_is_a_validation_error_with_its_position(gql) -> None:
    body = await gql.post("{ applications { nope } }")
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 18}]
    assert "nope" in body["errors"][0]["message"]
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_a_syntax_error_names_its_position_and_has_a_code(gql) -> None:
    body = await gql.post("{ applications { code }")
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 24}]
    assert "Syntax Error" in body["errors"][0]["message"]
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


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


async def test_a_document_is_parsed_and_validated_once_per_worker(gql) -> None:
    from backend.schema.limits import KeptParses, KeptValidation

    parses = KeptParses().cached_parse_document
    validations = KeptValidation().cached_validate_document
    query = "{ applications { code name } } # once per worker"
    parsed, validated = parses.cache_info(), validations.cache_info()
    for _ in range(3):
        data = await gql.query(query)
        assert len(data["applications"]) == 15
    assert parses.cache_info().misses == parsed.misses + 1
    assert parses.cache_info().hits == parsed.hits + 2
    assert validations.cache_info().misses == validated.misses + 1
    assert validations.cache_info().hits == validated.hits + 2


async def test_a_kept_invalid_document_is_refused_every_time_with_its_code(gql) -> None:
    for _ in range(2):
        body = await gql.post("{ applications { nope } } # kept")
        assert body["errors"][0]["locations"] == [{"line": 1, "column": 18}]
        assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
