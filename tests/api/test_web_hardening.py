"""Web hardening: what a browser is told (content security policy, framing, sniffing, referrer,
HTTPS), how much a client may send, and what never reaches a log or an audit event.

The session cookie's flags (HttpOnly, SameSite=Lax, Secure behind HTTPS) are tested with the
sessions, in test_sessions.py; the size of one uploaded file with the documents.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from backend import models
from backend.app import create_app
from backend.auth.totp import current_code
from backend.settings import Settings
from tests.api.test_bank_accounts import FR_IBAN, create, new_account
from tests.api.test_documents import (  # noqa: F401  (the *_fixture names are fixtures)
    browsers_fixture,
    documents_dir_fixture,
    world_fixture,
)
from tests.conftest import LOG_IN, PASSWORD, SIGN_UP, VERIFY_EMAIL
from tests.live import live_server


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def inline_scripts(html: str) -> list[str]:
    """<script> elements with content of their own (CSP script-src 'self' would block them)."""
    return [m for m in re.findall(r"<script\b([^>]*)>", html) if "src=" not in m]


# ---------------------------------------------------------------------------------------- headers


async def test_the_spa_page_gets_a_policy_that_allows_only_its_own_scripts(http) -> None:
    response = await http.get("/structures")  # any route of the SPA: index.html
    assert response.headers["content-type"].startswith("text/html")
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert inline_scripts(response.text) == []


async def test_graphiql_gets_the_same_policy_and_needs_nothing_more(http) -> None:
    """GraphiQL is self-hosted (frontend/dist/graphiql.html, scripts under /assets): the page policy
    holds for it; tests/e2e/test_navigation.py runs it in Chromium under that policy."""
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "GraphiQL" in response.text
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]  # its requests go to /graphql only
    assert policy["frame-ancestors"] == ["'none'"]
    assert inline_scripts(response.text) == []
    for source in re.findall(r'<script[^>]*src="([^"]+)"', response.text):
        assert source.startswith("/assets/"), source
        assert (await http.get(source)).status_code == 200


async def test_api_answers_may_load_nothing_and_be_framed_nowhere(http) -> None:
    response = await http.post("/graphql", json={"query": "{ applications { code } }"})
    assert response.headers["content-type"].startswith("application/json")
    assert directives(response.headers["content-security-policy"]) == {
        "default-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


async def test_https_is_pinned_only_when_the_browser_came_over_https(http) -> None:
    plain = await http.get("/healthz")
    assert "strict-transport-security" not in plain.headers
    proxied = await http.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert proxied.headers["strict-transport-security"] == "max-age=31536000"


# -------------------------------------------------------------------------------------- body size


async def test_a_body_declared_over_the_upload_limit_is_refused_unread(http) -> None:
    from backend.app import MAX_BODY_BYTES

    response = await http.post(
        "/graphql",
        content=b"x" * 16,
        headers={
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(MAX_BODY_BYTES + 1),
        },
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_REFUSED"


async def test_a_json_body_over_one_megabyte_is_refused(gql, count_queries) -> None:
    description = "x" * (1024 * 1024)
    with count_queries() as counter:
        response = await gql.http.post(
            "/graphql",
            json={"query": "query($d: String) { applications { code } }", "variables": {"d": description}},
            headers=gql.headers,
        )
    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"message": "Requête trop volumineuse.", "extensions": {"code": "QUERY_REFUSED"}}]
    }
    assert counter.count == 0
    # The same request a little smaller passes.
    response = await gql.http.post(
        "/graphql",
        json={
            "query": "query($d: String) { applications { code } }",
            "variables": {"d": description[:900_000]},
        },
        headers=gql.headers,
    )
    assert response.status_code == 200


async def test_a_streamed_body_without_a_length_is_cut_at_the_limit(db) -> None:
    """A client that announces no length is counted as it sends, and stopped."""
    app = create_app(dataclasses.replace(db, max_upload_request_bytes=64 * 1024), manage_db=False)
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'--x\r\nContent-Disposition: form-data; name="0"; filename="big.pdf"\r\n'
        yield b"Content-Type: application/pdf\r\n\r\n"
        for _ in range(1000):
            sent += 16 * 1024
            yield b"-" * 16 * 1024

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        response = await http.post(
            "/graphql",
            content=chunks(),
            headers={"Content-Type": "multipart/form-data; boundary=x", "X-Requested-With": "portail"},
        )
    assert response.status_code == 413
    assert sent < 1000 * 16 * 1024  # it stopped reading long before the end


def test_the_limits_are_settings() -> None:
    from backend.settings import load_settings

    settings = load_settings(
        {
            "PORTAIL_SECRET_KEY": "x",
            "PORTAIL_MAX_REQUEST_BYTES": "2048",
            "PORTAIL_MAX_UPLOAD_REQUEST_BYTES": "4096",
        }
    )
    assert (settings.max_request_bytes, settings.max_upload_request_bytes) == (2048, 4096)
    assert Settings().max_upload_request_bytes == 101 * 1024 * 1024


# ------------------------------------------------------------------------------ logs and audit


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """What the server writes at its level (INFO), and our own loggers down to DEBUG."""
    caplog.set_level(logging.INFO)
    for name in ("portail", "backend", "strawberry", "uvicorn"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


async def audit_text() -> str:
    rows = await models.AuditEvent.all().values("action", "target_type", "target_id", "changes")
    assert rows, "nothing audited: the test would prove nothing"
    return "\n".join(str(row) for row in rows)


def leaked(secrets: dict[str, str], *texts: str) -> list[str]:
    return [name for name, secret in secrets.items() for text in texts if secret and secret in text]


async def test_no_password_token_or_totp_secret_in_logs_or_audit(accounts, outbox, everything_logged) -> None:
    browser = accounts.client()
    email = "alice@example.org"
    signed_up = await browser.query(
        SIGN_UP, {"input": {"email": email, "password": PASSWORD, "firstName": "Alice", "lastName": "Durand"}}
    )
    assert signed_up["signUp"]["errors"] == []
    verification = await outbox.secret(email, "/verifier-email")
    assert (await browser.query(VERIFY_EMAIL, {"token": verification}))["verifyEmail"]["ok"] is True
    wrong_password = "Mauvais-Mot-De-Passe-42"
    await browser.post(LOG_IN, {"email": email, "password": wrong_password, "code": None})
    assert (await browser.query(LOG_IN, {"email": email, "password": PASSWORD, "code": None}))["logIn"][
        "errors"
    ] == []
    session_cookie = browser.http.cookies["portail_session"]
    token = await browser.query('mutation { createApiToken(name: "ERP") { secret errors { code } } }')
    api_secret = token["createApiToken"]["secret"]
    setup = (await browser.query("mutation { startTwoFactor { secret errors { code } } }"))["startTwoFactor"]
    confirm = "mutation($c: String!) { confirmTwoFactor(code: $c) { ok } }"
    assert (await browser.query(confirm, {"c": current_code(setup["secret"])}))["confirmTwoFactor"]["ok"]
    await browser.query("mutation($e: String!) { requestPasswordReset(email: $e) { ok } }", {"e": email})
    reset = await outbox.secret(email, "/reinitialiser-mot-de-passe")
    new_password = "Nouveau-Mot-De-Passe-2026"
    reset_done = await browser.query(
        "mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { ok errors { code } } }",
        {"t": reset, "p": new_password},
    )
    assert reset_done["resetPassword"]["ok"] is True
    user = await models.User.get(email=email)

    secrets = {
        "password": PASSWORD,
        "wrong password": wrong_password,
        "new password": new_password,
        "password hash": user.password_hash,
        "verification token": verification,
        "reset token": reset,
        "session cookie": session_cookie,
        "API token": api_secret,
        "TOTP secret": setup["secret"],
    }
    assert f"mail sent to {email}" in everything_logged.text  # the capture works: the mails were logged
    assert leaked(secrets, everything_logged.text, await audit_text()) == []


async def test_no_full_iban_in_logs_or_audit(browsers, world, documents_dir, everything_logged) -> None:
    manager = await browsers("manager")
    payload = await create(manager, new_account(world))
    assert payload["errors"] == [], payload
    assert payload["bankAccount"]["iban"] == FR_IBAN  # the manager may read it: it exists in full
    secrets = {"IBAN": FR_IBAN, "IBAN with spaces": "FR76 3000 6000 0112 3456 7890 189", "BBAN": FR_IBAN[4:]}
    assert leaked(secrets, everything_logged.text, await audit_text()) == []


async def test_refused_and_failed_requests_log_no_secret(gql, everything_logged) -> None:
    """A client's mistake is logged (strawberry logs errors) without the variables it sent."""
    password = "Secret-Dans-Une-Requete-Refusee"
    await gql.post(
        'mutation($p: String!) { logIn(email: "x@example.org", password: $p, nope: 1) { errors { code } } }',
        {"p": password},
    )
    body = await gql.post("query($p: Int!) { applications { code } }", {"p": password})
    assert body["data"] is None and body["errors"]
    assert password not in everything_logged.text


def test_the_server_access_log_masks_mailed_secrets_and_get_documents(db: Settings, tmp_path: Path) -> None:
    """The real server (uvicorn's access log): the SPA's links carry one-time secrets (?jeton=…)."""
    secret = "Jeton-Secret-De-Verification-123"
    password = "Mot-De-Passe-Dans-Une-URL"
    with live_server(db) as server:
        with httpx.Client(base_url=server.url, trust_env=False, timeout=10) as http:
            assert http.get("/verifier-email", params={"jeton": secret}).status_code in (200, 503)
            http.get("/reinitialiser-mot-de-passe", params={"jeton": secret})
            refused = http.get(
                "/graphql",
                params={"query": f'mutation {{ logIn(email: "a@b.fr", password: "{password}") {{ ok }} }}'},
            )
            assert refused.status_code == 400
        log = server.output()
    assert "GET /verifier-email?jeton=[masqué]" in log
    assert secret not in log
    assert password not in log
