"""The one place that says who is asking.

A pure ASGI middleware: from ``Authorization: Bearer <secret>`` (an API
token) or else from the ``portail_session`` cookie, it finds the account and
puts a :class:`~backend.auth.viewer.Viewer` (or None) in
``request.state.viewer``; the GraphQL view copies it into its context, plain
HTTP routes (downloads, exports) read it there.

- A bearer secret that does not authenticate (unknown, expired, revoked, or
  its owner not ACTIVE) gets 401 with a GraphQL-shaped UNAUTHENTICATED error:
  an integrator's script should stop, not run anonymously.
- A cookie that does not authenticate is treated as no cookie, and cleared.
- When a session was extended (at most once a minute) the cookie is
  re-issued with the new lifetime, unless the response sets it itself
  (logIn, logOut).
"""

from __future__ import annotations

import orjson
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.auth.api_tokens import token_viewer
from backend.auth.sessions import COOKIE_NAME, clear_cookie, is_https, session_cookie, session_viewer
from backend.settings import Settings

#: Paths that never need to know the viewer (static files, health checks).
ANONYMOUS_PATHS = ("/assets/", "/healthz")


def read_cookie(headers: Headers, name: str) -> str | None:
    raw = headers.get("cookie")
    return cookie_parser(raw).get(name) if raw else None


def bearer_secret(headers: Headers) -> str | None:
    value = headers.get("authorization") or ""
    scheme, _, secret = value.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


class Authentication:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith(ANONYMOUS_PATHS):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        secure = is_https(scope.get("scheme", "http"), headers)
        set_cookie: str | None = None
        viewer = None
        secret = bearer_secret(headers)
        if secret is not None:
            viewer = await token_viewer(secret)
            if viewer is None:
                await self._unauthorized(scope, receive, send)
                return
        else:
            cookie = read_cookie(headers, COOKIE_NAME)
            if cookie:
                viewer, refreshed = await session_viewer(cookie, self.settings)
                if viewer is None:
                    set_cookie = clear_cookie(secure=secure)
                elif refreshed:
                    set_cookie = session_cookie(cookie, self.settings, secure=secure)
        scope["state"] = {**scope.get("state", {}), "viewer": viewer}
        if set_cookie is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                response_headers = MutableHeaders(scope=message)
                already = any(
                    value.startswith(f"{COOKIE_NAME}=") for value in response_headers.getlist("set-cookie")
                )
                if not already:
                    response_headers.append("set-cookie", set_cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _unauthorized(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return
        body = orjson.dumps(
            {
                "errors": [
                    {
                        "message": "Jeton d'API inconnu, expiré ou révoqué.",
                        "extensions": {"code": "UNAUTHENTICATED"},
                    }
                ]
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Bearer error="invalid_token"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


MUTATION_CONTENT_TYPES = ("application/json", "multipart/form-data")


def may_mutate(scope: Scope, viewer: object) -> bool:
    """CSRF: whether this request may run mutations.

    With an API token, always (a foreign page cannot send the header). Else
    (a session cookie, or no credentials, which protects logIn too) only a
    POST with a JSON or multipart body and an ``X-Requested-With`` header:
    a foreign page cannot add that header without a CORS preflight, which
    this server never grants. GET never runs a mutation (Strawberry refuses),
    nor does a WebSocket authenticated by cookie.
    """
    if getattr(viewer, "token", None) is not None:
        return True
    if scope["type"] != "http" or scope.get("method") != "POST":
        return False
    headers = Headers(scope=scope)
    content_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    return content_type in MUTATION_CONTENT_TYPES and bool(headers.get("x-requested-with"))
