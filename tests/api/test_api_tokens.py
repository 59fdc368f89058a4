"""Personal API tokens, as an integrator uses them: created from the browser, used as Bearer secrets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)

from backend import models
from backend.auth.tokens import digest
from backend.schema import build_schema
from backend.settings import Settings
from tests.conftest import GraphQLClient

CREATE = """mutation($name: String!, $readOnly: Boolean, $expiresAt: DateTime) {
  createApiToken(name: $name, readOnly: $readOnly, expiresAt: $expiresAt) {
    token { id name prefix readOnly createdAt expiresAt lastUsedAt } secret errors { code field message } }
}"""
REVOKE = "mutation($id: ID!) { revokeApiToken(id: $id) { deletedId errors { code field message } } }"
TOKENS = "{ viewer { apiTokens { id name prefix readOnly lastUsedAt } } }"
VIEWER = "{ viewer { user { email } } }"
SESSION_ONLY = [
    "createApiToken",
    "revokeApiToken",
    "updateMyAccount",
    "changePassword",
    "deactivateMyAccount",
    "startTwoFactor",
    "confirmTwoFactor",
    "disableTwoFactor",
    "endSession",
]


async def create_token(browser: GraphQLClient, **variables: Any) -> dict[str, Any]:
    data = await browser.query(CREATE, {"name": "Intégration comptable", **variables})
    return data["createApiToken"]


def bearer(accounts: Any, secret: str) -> GraphQLClient:
    """An integrator's client: no cookie, no X-Requested-With, only the token."""
    client = accounts.client()
    client.headers = {"Authorization": f"Bearer {secret}"}
    return client


# ---------------------------------------------------------------------------------------- creating and listing


async def test_a_token_is_created_with_its_secret_shown_once_and_only_a_digest_stored(signed_in) -> None:
    payload = await create_token(signed_in)
    assert payload["errors"] == []
    secret = payload["secret"]
    assert secret.startswith("pot_") and len(secret) == 44 and secret[4:].isalnum()
    token = payload["token"]
    assert token["prefix"] == secret[:8]
    assert token["readOnly"] is True  # the default
    assert token["expiresAt"] is None and token["lastUsedAt"] is None

    row = await models.ApiToken.get()
    assert row.secret_hash == digest(secret)
    listed = (await signed_in.query(TOKENS))["viewer"]["apiTokens"]
    assert listed == [
        {
            "id": token["id"],
            "name": "Intégration comptable",
            "prefix": secret[:8],
            "readOnly": True,
            "lastUsedAt": None,
        }
    ]
    assert secret not in json.dumps(listed)
    audit = await models.AuditEvent.get(action="api_token.create")
    assert secret not in (audit.changes or "")


async def test_a_token_needs_a_name_and_a_future_expiry(signed_in, clock) -> None:
    blank = await create_token(signed_in, name="  ")
    assert [(e["code"], e["field"]) for e in blank["errors"]] == [("REQUIRED", ["name"])]
    past = (clock.now() - timedelta(minutes=1)).isoformat()
    expired = await create_token(signed_in, expiresAt=past)
    assert [(e["code"], e["field"]) for e in expired["errors"]] == [("VALIDATION", ["expiresAt"])]
    assert await models.ApiToken.all().count() == 0


# ---------------------------------------------------------------------------------------- using a token


async def test_a_token_acts_as_its_owner_without_cookie_or_header(accounts, signed_in) -> None:
    secret = (await create_token(signed_in))["secret"]
    integrator = bearer(accounts, secret)
    assert (await integrator.query(VIEWER)) == {"viewer": {"user": {"email": "alice@example.org"}}}


async def test_last_used_is_written_at_most_once_a_minute(accounts, signed_in, clock) -> None:
    secret = (await create_token(signed_in))["secret"]
    integrator = bearer(accounts, secret)
    await integrator.query(VIEWER)
    first = (await models.ApiToken.get()).last_used_at
    assert first is not None
    clock.advance(timedelta(seconds=30))
    await integrator.query(VIEWER)
    assert (await models.ApiToken.get()).last_used_at == first
    clock.advance(timedelta(seconds=31))
    await integrator.query(VIEWER)
    assert (await models.ApiToken.get()).last_used_at > first


async def post_raw(client: GraphQLClient, query: str) -> httpx.Response:
    return await client.http.post("/graphql", json={"query": query}, headers=client.headers)


async def test_an_expired_token_is_refused(accounts, signed_in, clock) -> None:
    expires = (clock.now() + timedelta(days=1)).isoformat()
    secret = (await create_token(signed_in, expiresAt=expires))["secret"]
    integrator = bearer(accounts, secret)
    assert (await post_raw(integrator, VIEWER)).status_code == 200
    clock.advance(timedelta(days=1, seconds=1))
    response = await post_raw(integrator, VIEWER)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Bearer" in response.headers["www-authenticate"]


async def test_a_revoked_token_is_refused_at_once(accounts, signed_in) -> None:
    created = await create_token(signed_in)
    integrator = bearer(accounts, created["secret"])
    assert (await post_raw(integrator, VIEWER)).status_code == 200
    data = await signed_in.query(REVOKE, {"id": created["token"]["id"]})
    assert data["revokeApiToken"] == {"deletedId": created["token"]["id"], "errors": []}
    response = await post_raw(integrator, VIEWER)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await signed_in.query(TOKENS))["viewer"]["apiTokens"] == []


async def test_an_unknown_token_is_refused(gql) -> None:
    gql.headers = {"Authorization": "Bearer pot_inconnu"}
    response = await post_raw(gql, VIEWER)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_nobody_can_revoke_someone_elses_token(accounts) -> None:
    alice = await accounts.signed_in("alice@example.org")
    bob = await accounts.signed_in("bob@example.org", first_name="Bob")
    created = await create_token(alice)
    data = await bob.query(REVOKE, {"id": created["token"]["id"]})
    assert [e["code"] for e in data["revokeApiToken"]["errors"]] == ["FORBIDDEN"]
    assert await models.ApiToken.filter(revoked_at=None).count() == 1


async def test_the_tokens_of_a_deactivated_account_stop_working(accounts, signed_in) -> None:
    from tests.conftest import PASSWORD

    secret = (await create_token(signed_in, readOnly=False))["secret"]
    await signed_in.query(
        "mutation($p: String!) { deactivateMyAccount(password: $p) { ok } }", {"p": PASSWORD}
    )
    integrator = bearer(accounts, secret)
    assert (await post_raw(integrator, VIEWER)).status_code == 401


# ---------------------------------------------------------------------------------------- what a token may do


def _value_for(graphql_type: Any, ids: dict[str, str]) -> Any:
    """A well-formed value for an argument type, so that only the guard can refuse."""
    if isinstance(graphql_type, GraphQLNonNull):
        return _value_for(graphql_type.of_type, ids)
    if isinstance(graphql_type, GraphQLList):
        return [_value_for(graphql_type.of_type, ids)]
    if isinstance(graphql_type, GraphQLEnumType):
        return next(iter(graphql_type.values))
    if isinstance(graphql_type, GraphQLInputObjectType):
        return {
            name: _value_for(field.type, ids)
            for name, field in graphql_type.fields.items()
            if isinstance(field.type, GraphQLNonNull)
        }
    assert isinstance(graphql_type, GraphQLScalarType)
    return {
        "String": "x",
        "ID": ids["any"],
        "Int": 1,
        "Float": 1.0,
        "Boolean": True,
        "DateTime": "2030-01-01T00:00:00+00:00",
        "Date": "2030-01-01",
        "Upload": None,
    }[graphql_type.name]


def every_mutation() -> list[tuple[str, dict[str, Any]]]:
    schema = build_schema(Settings())._schema
    assert schema.mutation_type is not None
    return sorted((name, dict(field.args)) for name, field in schema.mutation_type.fields.items())


def mutation_call(name: str, args: dict[str, Any], ids: dict[str, str]) -> tuple[str, dict[str, Any], bool]:
    declarations = ", ".join(
        f"${arg}: {spec.type}" for arg, spec in args.items() if isinstance(spec.type, GraphQLNonNull)
    )
    arguments = ", ".join(
        f"{arg}: ${arg}" for arg, spec in args.items() if isinstance(spec.type, GraphQLNonNull)
    )
    variables = {
        arg: _value_for(spec.type, ids) for arg, spec in args.items() if isinstance(spec.type, GraphQLNonNull)
    }
    uploads = "Upload" in declarations
    header = f"mutation({declarations})" if declarations else "mutation"
    call = f"{name}({arguments})" if arguments else name
    return f"{header} {{ {call} {{ errors {{ code message }} }} }}", variables, uploads


async def run_mutation(
    client: GraphQLClient, name: str, args: dict[str, Any], ids: dict[str, str]
) -> dict[str, Any]:
    query, variables, uploads = mutation_call(name, args, ids)
    if not uploads:
        return await client.post(query, variables)
    # The GraphQL multipart request spec: every None left for an Upload gets a file.
    upload_paths: list[str] = []

    def collect(value: Any, path: str) -> None:
        if value is None:
            upload_paths.append(path)
        elif isinstance(value, dict):
            for key, item in value.items():
                collect(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                collect(item, f"{path}.{index}")

    collect(variables, "variables")
    files: dict[str, Any] = {
        "operations": (None, json.dumps({"query": query, "variables": variables})),
        "map": (None, json.dumps({str(i): [path] for i, path in enumerate(upload_paths)})),
    }
    for i in range(len(upload_paths)):
        files[str(i)] = ("essai.pdf", b"%PDF-1.4\n", "application/pdf")
    response = await client.http.post("/graphql", files=files, headers=client.headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(("name", "args"), every_mutation(), ids=[name for name, _ in every_mutation()])
async def test_a_read_only_token_gets_forbidden_on_every_mutation(accounts, signed_in, name, args) -> None:
    created = await create_token(signed_in, readOnly=True)
    integrator = bearer(accounts, created["secret"])
    body = await run_mutation(integrator, name, args, {"any": created["token"]["id"]})
    assert "errors" not in body, body
    [payload] = body["data"].values()
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"], payload
    assert "lecture seule" in payload["errors"][0]["message"]


@pytest.mark.parametrize("name", SESSION_ONLY)
async def test_session_only_mutations_refuse_even_a_write_token(accounts, signed_in, name) -> None:
    created = await create_token(signed_in, readOnly=False)
    integrator = bearer(accounts, created["secret"])
    args = dict(every_mutation())[name]
    body = await run_mutation(integrator, name, args, {"any": created["token"]["id"]})
    [payload] = body["data"].values()
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"], payload
    assert "session" in payload["errors"][0]["message"]
    assert await models.ApiToken.filter(revoked_at=None).count() == 1


async def test_a_write_token_runs_other_mutations_without_the_csrf_header(accounts) -> None:
    browser = await accounts.signed_in("alice@example.org", verify=False)
    secret = (await create_token(browser, readOnly=False))["secret"]
    integrator = bearer(accounts, secret)
    data = await integrator.query("mutation { resendVerificationEmail { ok errors { code } } }")
    assert data["resendVerificationEmail"] == {"ok": True, "errors": []}


async def test_a_token_may_expire_at_a_given_moment(signed_in) -> None:
    when = datetime(2031, 5, 4, 12, 0, tzinfo=UTC)
    token = (await create_token(signed_in, expiresAt=when.isoformat()))["token"]
    assert datetime.fromisoformat(token["expiresAt"]) == when
