"""Browser sessions: the cookie, its expiry, the list of one's sessions, and CSRF protection."""

from __future__ import annotations

from datetime import timedelta

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend import models
from backend.auth.middleware import Authentication
from backend.auth.tokens import digest
from tests.conftest import LOG_IN, PASSWORD, GraphQLClient

VIEWER = "{ viewer { user { firstName } } }"
SESSIONS = "{ viewer { sessions { id createdAt lastSeenAt userAgent ipAddress current } } }"
END_SESSION = "mutation($id: ID!) { endSession(id: $id) { deletedId errors { code field message } } }"
UPDATE = """mutation { updateMyAccount(input: {firstName: "Alicia"}) {
  viewer { user { firstName } } errors { code message } } }"""


def set_cookie_headers(response: httpx.Response) -> list[str]:
    return [value for name, value in response.headers.multi_items() if name == "set-cookie"]


async def post_login(http: httpx.AsyncClient, headers: dict[str, str] | None = None) -> httpx.Response:
    return await http.post(
        "/graphql",
        json={"query": LOG_IN, "variables": {"email": "alice@example.org", "password": PASSWORD}},
        headers={"X-Requested-With": "portail", **(headers or {})},
    )


# ---------------------------------------------------------------------------------------- the cookie


async def test_logging_in_sets_an_http_only_lax_cookie_and_stores_only_its_digest(accounts) -> None:
    await accounts.sign_up("alice@example.org")
    browser = accounts.client()
    response = await post_login(browser.http)
    [cookie] = set_cookie_headers(response)
    assert cookie.startswith("portail_session=")
    attributes = [part.strip() for part in cookie.split(";")]
    assert "HttpOnly" in attributes
    assert "SameSite=Lax" in attributes
    assert "Path=/" in attributes
    assert f"Max-Age={14 * 24 * 3600}" in attributes
    assert "Secure" not in attributes  # plain http

    secret = browser.http.cookies["portail_session"]
    session = await models.Session.get()
    assert session.token_hash == digest(secret)
    assert not await models.Session.exists(token_hash=secret)


async def test_the_cookie_is_secure_over_https_and_behind_a_proxy_that_says_so(accounts) -> None:
    await accounts.sign_up("alice@example.org")
    https = accounts.client()
    https.http.base_url = httpx.URL("https://testserver")
    [cookie] = set_cookie_headers(await post_login(https.http))
    assert "Secure" in [part.strip() for part in cookie.split(";")]

    proxied = accounts.client()
    [cookie] = set_cookie_headers(await post_login(proxied.http, {"X-Forwarded-Proto": "https"}))
    assert "Secure" in [part.strip() for part in cookie.split(";")]


async def test_logging_in_again_ends_the_previous_session_of_that_browser(accounts) -> None:
    browser = await accounts.signed_in("alice@example.org")
    first = browser.http.cookies["portail_session"]
    await browser.query(LOG_IN, {"email": "alice@example.org", "password": PASSWORD})
    assert browser.http.cookies["portail_session"] != first
    assert await models.Session.filter(revoked_at=None).count() == 1


async def test_an_unknown_cookie_is_anonymous_and_cleared(accounts) -> None:
    browser = accounts.client(cookies={"portail_session": "inconnu"})
    response = await browser.http.post("/graphql", json={"query": VIEWER}, headers=browser.headers)
    assert response.json()["data"] == {"viewer": None}
    [cleared] = set_cookie_headers(response)
    assert cleared.startswith("portail_session=;") and "Max-Age=0" in cleared


# ---------------------------------------------------------------------------------------- sliding expiry


async def test_a_session_slides_with_use_and_expires_after_14_idle_days(accounts, clock) -> None:
    browser = await accounts.signed_in("alice@example.org")
    for _ in range(3):  # used every 13 days: still open after 39 days
        clock.advance(timedelta(days=13))
        response = await browser.http.post("/graphql", json={"query": VIEWER}, headers=browser.headers)
        assert response.json()["data"]["viewer"] is not None
        [renewed] = set_cookie_headers(response)  # the cookie's lifetime slides too
        assert f"Max-Age={14 * 24 * 3600}" in renewed
    clock.advance(timedelta(days=14, seconds=1))
    assert (await browser.query(VIEWER))["viewer"] is None


async def test_last_seen_is_written_at_most_once_a_minute(accounts, clock) -> None:
    browser = await accounts.signed_in("alice@example.org")
    session = await models.Session.get()
    clock.advance(timedelta(seconds=30))
    response = await browser.http.post("/graphql", json={"query": VIEWER}, headers=browser.headers)
    assert set_cookie_headers(response) == []
    assert (await models.Session.get()).last_seen_at == session.last_seen_at
    clock.advance(timedelta(seconds=31))
    await browser.query(VIEWER)
    assert (await models.Session.get()).last_seen_at > session.last_seen_at


# ---------------------------------------------------------------------------------------- one's sessions


async def test_the_viewer_lists_their_sessions_and_marks_the_current_one(accounts) -> None:
    laptop = await accounts.signed_in("alice@example.org")
    phone = accounts.client(headers={"User-Agent": "Firefox pour Android"})
    await phone.query(LOG_IN, {"email": "alice@example.org", "password": PASSWORD})
    await accounts.signed_in("bob@example.org")
    sessions = (await laptop.query(SESSIONS))["viewer"]["sessions"]
    assert len(sessions) == 2
    assert [s["current"] for s in sessions].count(True) == 1
    assert sessions[0]["userAgent"] == "Firefox pour Android"  # the most recently used first
    assert sessions[1]["userAgent"].startswith("python-httpx")
    assert all(s["ipAddress"] == "127.0.0.1" for s in sessions)
    assert all(s["createdAt"] and s["lastSeenAt"] for s in sessions)
    from_phone = (await phone.query(SESSIONS))["viewer"]["sessions"]
    assert {s["id"] for s in from_phone} == {s["id"] for s in sessions}
    assert (
        next(s for s in from_phone if s["current"])["id"] != next(s for s in sessions if s["current"])["id"]
    )


async def test_ending_another_session_logs_that_device_out(accounts) -> None:
    laptop = await accounts.signed_in("alice@example.org")
    phone = await accounts.log_in("alice@example.org")
    phone_session = next(s for s in (await phone.query(SESSIONS))["viewer"]["sessions"] if s["current"])
    data = await laptop.query(END_SESSION, {"id": phone_session["id"]})
    assert data["endSession"] == {"deletedId": phone_session["id"], "errors": []}
    assert (await phone.query(VIEWER))["viewer"] is None
    assert (await laptop.query(VIEWER))["viewer"] is not None
    again = await laptop.query(END_SESSION, {"id": phone_session["id"]})
    assert [e["code"] for e in again["endSession"]["errors"]] == ["FORBIDDEN"]


async def test_ending_the_current_session_logs_out(accounts) -> None:
    laptop = await accounts.signed_in("alice@example.org")
    mine = next(s for s in (await laptop.query(SESSIONS))["viewer"]["sessions"] if s["current"])
    response = await laptop.http.post(
        "/graphql", json={"query": END_SESSION, "variables": {"id": mine["id"]}}, headers=laptop.headers
    )
    assert response.json()["data"]["endSession"]["errors"] == []
    assert any("Max-Age=0" in value for value in set_cookie_headers(response))
    assert (await laptop.query(VIEWER))["viewer"] is None


async def test_nobody_can_end_or_read_someone_elses_session(accounts) -> None:
    alice = await accounts.signed_in("alice@example.org")
    bob = await accounts.signed_in("bob@example.org", first_name="Bob")
    alice_session = (await alice.query(SESSIONS))["viewer"]["sessions"][0]["id"]
    data = await bob.query(END_SESSION, {"id": alice_session})
    assert [e["code"] for e in data["endSession"]["errors"]] == ["FORBIDDEN"]
    body = await bob.post("query($id: ID!) { node(id: $id) { id } }", {"id": alice_session})
    assert body["data"]["node"] is None
    assert (await alice.query(VIEWER))["viewer"] is not None


# ---------------------------------------------------------------------------------------- CSRF


async def test_a_cookie_mutation_without_the_header_is_refused(signed_in) -> None:
    response = await signed_in.http.post("/graphql", json={"query": UPDATE})
    assert response.status_code == 200
    payload = response.json()["data"]["updateMyAccount"]
    assert payload["viewer"] is None
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    assert "X-Requested-With" in payload["errors"][0]["message"]
    assert (await models.User.get(email="alice@example.org")).first_name == "Alice"
    # Queries need no header.
    response = await signed_in.http.post("/graphql", json={"query": VIEWER})
    assert response.json()["data"]["viewer"] == {"user": {"firstName": "Alice"}}
    # With the header, the same mutation runs.
    assert (await signed_in.query(UPDATE))["updateMyAccount"]["errors"] == []


async def test_an_anonymous_login_without_the_header_is_refused_too(accounts) -> None:
    await accounts.sign_up("alice@example.org")
    browser = accounts.client()
    response = await browser.http.post(
        "/graphql", json={"query": LOG_IN, "variables": {"email": "alice@example.org", "password": PASSWORD}}
    )
    assert [e["code"] for e in response.json()["data"]["logIn"]["errors"]] == ["FORBIDDEN"]
    assert set_cookie_headers(response) == []


async def test_a_multipart_mutation_with_the_header_is_accepted_and_without_it_refused(signed_in) -> None:
    import json

    files = {"operations": (None, json.dumps({"query": UPDATE, "variables": {}})), "map": (None, "{}")}
    refused = await signed_in.http.post("/graphql", files=files)
    assert refused.json()["data"]["updateMyAccount"]["errors"][0]["code"] == "FORBIDDEN"
    accepted = await signed_in.http.post("/graphql", files=files, headers=signed_in.headers)
    assert accepted.json()["data"]["updateMyAccount"]["errors"] == []


async def test_get_never_runs_a_mutation(signed_in) -> None:
    response = await signed_in.http.get(
        "/graphql", params={"query": UPDATE}, headers={**signed_in.headers, "Accept": "application/json"}
    )
    assert response.status_code in (400, 405)
    assert (await models.User.get(email="alice@example.org")).first_name == "Alice"


# ---------------------------------------------------------------------------------------- plain HTTP routes


async def test_plain_http_routes_find_the_viewer_in_request_state(accounts, db) -> None:
    browser = await accounts.signed_in("alice@example.org")

    async def whoami(request: Request) -> JSONResponse:
        viewer = request.state.viewer
        return JSONResponse(
            {"email": viewer.user.email if viewer else None, "by_session": bool(viewer and viewer.by_session)}
        )

    app = Starlette(routes=[Route("/moi", whoami)])
    app.add_middleware(Authentication, settings=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", cookies=browser.http.cookies
    ) as http:
        assert (await http.get("/moi")).json() == {"email": "alice@example.org", "by_session": True}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.get("/moi")).json() == {"email": None, "by_session": False}


async def test_each_test_client_keeps_its_own_cookies(accounts) -> None:
    alice = await accounts.signed_in("alice@example.org")
    bob = await accounts.signed_in("bob@example.org", first_name="Bob")
    assert (await alice.query(VIEWER))["viewer"]["user"]["firstName"] == "Alice"
    assert (await bob.query(VIEWER))["viewer"]["user"]["firstName"] == "Bob"
    assert isinstance(alice, GraphQLClient) and alice.email == "alice@example.org"
