"""The WebSocket side of ``/graphql``: graphql-transport-ws only, who may connect, from where.

- The handshake must offer ``graphql-transport-ws``; anything else (the legacy
  ``graphql-ws`` protocol, no protocol) is refused with 403 before it is accepted.
- Credentials: the session cookie or an ``Authorization: Bearer`` header of the
  handshake (read by the authentication middleware, like any request), or
  ``{"Authorization": "Bearer pot_…"}`` in the ``connection_init`` payload (what a
  browser client that holds an API token can send). No viewer: the connection
  is closed (4403) at ``connection_init``.
- Origin: a browser attaches the session cookie to a WebSocket handshake from
  any page, CORS does not apply. A cross-origin handshake that carries a valid
  session cookie is refused (403) unless its origin is the server's public
  origin or listed in ``PORTAIL_WS_ALLOWED_ORIGINS``. Same-origin handshakes
  (``Origin`` matching ``Host``) and clients that send no ``Origin`` (not
  browsers) are not concerned; nor is a page elsewhere that brings a token of
  its own, having no ambient authority to borrow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.websocket_origin import normalize_origin
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from backend.auth.api_tokens import token_viewer
from backend.auth.viewer import Viewer
from backend.settings import Settings

#: How long a client has, once connected, to send connection_init.
CONNECTION_INIT_SECONDS = 10


def own_origins(settings: Settings) -> frozenset[str]:
    """Origins whose pages may use the session cookie on a WebSocket: the public URL's, and the listed ones."""
    found = {normalize_origin(o) for o in (settings.public_url, *settings.ws_allowed_origins)}
    return frozenset(o for o in found if o is not None)


def cross_origin_allowed(origins: frozenset[str], origin: str, viewer: Viewer | None) -> bool:
    """For a handshake whose ``Origin`` is not the ``Host`` it was sent to."""
    if normalize_origin(origin) in origins:
        return True
    return viewer is None or viewer.session is None


class TextFrames(ASGIWebSocketAdapter):
    """Messages go out as text frames, as graphql-transport-ws wants them (browsers' ``graphql-ws``
    client drops binary ones); the view encodes JSON to bytes (orjson) for HTTP responses."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        try:
            await self.ws.send_text(encoded.decode() if isinstance(encoded, bytes) else encoded)
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error


class TransportWSOnly:
    """In front of the GraphQL view on the WebSocket route: a handshake that does not offer
    graphql-transport-ws is refused (403) before it is accepted."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if GRAPHQL_TRANSPORT_WS_PROTOCOL in scope.get("subprotocols", ()):
            await self.app(scope, receive, send)
            return
        await WebSocket(scope, receive, send).close(code=4406, reason="Subprotocol not acceptable")


def _bearer(params: Mapping[str, Any]) -> str | None:
    for key, value in params.items():
        if key.lower() == "authorization":
            if not isinstance(value, str):
                return ""
            scheme, _, secret = value.partition(" ")
            return secret.strip() if scheme.lower() == "bearer" else ""
    return None


async def connection_viewer(params: Mapping[str, Any] | None, viewer: Viewer | None) -> Viewer:
    """The viewer of a connection, at connection_init; refused (4403) when there is none."""
    secret = _bearer(params or {})
    if secret is not None:
        viewer = await token_viewer(secret) if secret else None
        if viewer is None:
            raise ConnectionRejectionError(
                {"message": "Jeton d'API inconnu, expiré ou révoqué.", "code": "UNAUTHENTICATED"}
            )
    if viewer is None:
        raise ConnectionRejectionError({"message": "Vous devez être connecté.", "code": "UNAUTHENTICATED"})
    return viewer
