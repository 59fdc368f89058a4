"""The Starlette application: routes, middleware, lifespan."""

from __future__ import annotations

import contextlib
import logging
import urllib.parse
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

from backend import realtime
from backend.auth.middleware import Authentication, may_mutate
from backend.auth.sessions import is_https
from backend.db import tortoise_config
from backend.exports.routes import routes as export_routes
from backend.exports.ticket_routes import routes as ticket_export_routes
from backend.realtime import websocket as live_websocket
from backend.runtime import tune_garbage_collector
from backend.schema import build_schema
from backend.schema.context import Context
from backend.schema.documents import download_document
from backend.services.mail import Mailer
from backend.settings import Settings, get_settings

log = logging.getLogger("portail")

# Paths that belong to the server, never to the SPA's history-mode fallback.
SERVER_PREFIXES = ("/graphql", "/healthz", "/api/", "/documents/", "/exports/", "/assets/")

SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"same-origin",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
# Pages (the SPA and GraphiQL, both built by Vite): their scripts and styles come from /assets only.
# Inline styles stay allowed: Vue's style bindings and GraphiQL's editors set style attributes.
PAGE_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    b"font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    b"base-uri 'self'; form-action 'self'"
)
# Anything else (JSON, CSV, files): nothing to run, nothing to load, never framed.
RESOURCE_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = b"max-age=31536000"

# Ten attachments of 10 MB and the multipart envelope: anything larger is refused unread.
MAX_BODY_BYTES = 10 * 10 * 1024 * 1024 + 1024 * 1024
# A request without a file (a JSON GraphQL document and its variables).
MAX_JSON_BODY_BYTES = 1024 * 1024


# Query parameters whose values never reach a log: the one-time secrets of mailed links
# (/verifier-email?jeton=…), and GraphQL documents and variables sent over GET.
SECRET_PARAMETERS = {"jeton", "token", "secret", "password", "code", "query", "variables", "extensions"}


def redact_query_string(path: str) -> str:
    base, _, query = path.partition("?")
    if not query:
        return path
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    return (
        base + "?" + "&".join(f"{k}={'[masqué]' if k.lower() in SECRET_PARAMETERS else v}" for k, v in pairs)
    )


class RedactSecrets(logging.Filter):
    """uvicorn's access log writes each path with its query string: secrets are masked first."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (args[0], args[1], redact_query_string(args[2]), args[3], args[4])
        return True


def redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSecrets) for f in access.filters):
        access.addFilter(RedactSecrets())


class BodySizeLimit:
    """Refuses request bodies with 413 before they are parsed or spooled to disk: over ``json_limit``
    without a file, over ``limit`` for a multipart upload (settings max_request_bytes and
    max_upload_request_bytes). A body without Content-Length is counted as it arrives."""

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY_BYTES, json_limit: int = MAX_JSON_BODY_BYTES
    ) -> None:
        self.app = app
        self.limit = limit
        self.json_limit = json_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/")
        limit = self.limit if multipart else min(self.limit, self.json_limit)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge:
            await self._refuse(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {"errors": [{"message": "Requête trop volumineuse.", "extensions": {"code": "QUERY_REFUSED"}}]},
            status_code=413,
        )
        await response(scope, receive, send)


class BodyTooLarge(Exception):
    pass


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        https = is_https(scope.get("scheme", "http"), Headers(scope=scope))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower(): value for name, value in headers}
                html = present.get(b"content-type", b"").startswith(b"text/html")
                wanted = {
                    **SECURITY_HEADERS,
                    b"content-security-policy": PAGE_CSP if html else RESOURCE_CSP,
                    **({b"strict-transport-security": HSTS} if https else {}),
                }
                headers += [(k, v) for k, v in wanted.items() if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class PortailGraphQL(GraphQL):
    """Strawberry's ASGI view with our context, orjson and a self-hosted GraphiQL; subscriptions over
    WebSocket with graphql-transport-ws only (backend.realtime.websocket)."""

    websocket_adapter_class = live_websocket.TextFrames

    def __init__(self, settings: Settings, mailer: Mailer) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql",
            multipart_uploads_enabled=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=live_websocket.CONNECTION_INIT_SECONDS),
            max_subscriptions_per_connection=settings.ws_max_subscriptions,
        )
        self.settings = settings
        self.mailer = mailer
        self.ws_origins = live_websocket.own_origins(settings)

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        viewer = getattr(request.state, "viewer", None)
        return live_websocket.cross_origin_allowed(self.ws_origins, origin, viewer)

    async def on_ws_connect(self, context: Context) -> Any:
        context.viewer = await live_websocket.connection_viewer(context.connection_params, context.viewer)
        context.may_mutate = may_mutate(context.request.scope, context.viewer)
        return UNSET  # a plain connection_ack (graphql-ws clients refuse a null payload)

    async def get_context(self, request: Any, response: Any) -> Context:
        # The viewer comes from the Authentication middleware, the one place that identifies it.
        viewer = getattr(request.state, "viewer", None)
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            viewer=viewer,
            may_mutate=may_mutate(request.scope, viewer),
            mailer=self.mailer,
        )

    def encode_json(self, data: object) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:  # refused before any resolver: answered in GraphQL's shape
            response = transport_refusal(error)
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Any) -> Response:
        page = self.settings.frontend_dist / "graphiql.html"
        if not page.exists():
            return HTMLResponse(
                "<!doctype html><html lang='fr'><title>GraphiQL</title><main><h1>GraphiQL n'est pas construit"
                "</h1><p>Lancez <code>make run</code> pour construire l'interface.</p></main></html>",
                status_code=503,
            )
        return FileResponse(page, headers={"cache-control": "no-cache"})


# Strawberry's refusals of a request that is not one GraphQL operation, in French for clients.
TRANSPORT_REFUSALS = {
    "Batching is not enabled": "Requête refusée : un seul document GraphQL par requête (pas de lot).",
    "Unsupported content type": (
        "Requête refusée : envoyez le document en application/json (ou multipart/form-data pour un fichier)."
    ),
    "mutations are not allowed when using GET": "Requête refusée : une mutation s'envoie en POST, jamais en GET.",
    "subscriptions are not allowed when using GET": "Requête refusée : un abonnement passe par un WebSocket.",
    "No GraphQL query found in the request": "Requête refusée : aucun document GraphQL dans la requête.",
    "Unable to parse request body as JSON": "Requête refusée : le corps de la requête n'est pas du JSON valide.",
}


def transport_refusal(error: HTTPException) -> Response:
    message = TRANSPORT_REFUSALS.get(
        error.reason, "Requête refusée : ce n'est pas une requête GraphQL valide."
    )
    body = {"errors": [{"message": message, "extensions": {"code": "QUERY_REFUSED", "reason": error.reason}}]}
    return JSONResponse(body, status_code=error.status_code)


async def healthz(request: Request) -> JSONResponse:
    try:
        await connections.get("default").execute_query("SELECT 1")
        database = "ok"
    except Exception:  # any failure means "not ready"; the reason goes to the log only
        log.exception("health check: database unavailable")
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JSONResponse({"status": "ok" if status == 200 else "degraded", "database": database}, status)


def spa_fallback(dist: Path):
    index = dist / "index.html"
    root = dist.resolve()

    async def serve(request: Request) -> Response:
        path = request.url.path
        if path.startswith(SERVER_PREFIXES):
            return JSONResponse({"error": "Ressource introuvable."}, 404)
        candidate = anyio.Path(dist / path.lstrip("/"))
        if path != "/" and await candidate.is_file() and (await candidate.resolve()).is_relative_to(root):
            return FileResponse(str(candidate))
        if not await anyio.Path(index).exists():
            return HTMLResponse(
                "<!doctype html><html lang='fr'><title>Portail Organisation</title><main><h1>Interface non "
                "construite</h1><p>Lancez <code>make run</code>.</p></main></html>",
                status_code=503,
            )
        return FileResponse(index, headers={"cache-control": "no-cache"})

    return serve


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    settings = settings or get_settings()
    redact_access_log()

    mailer = Mailer(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            if not manage_db:
                async with realtime.running(settings.database_url):
                    yield
                return
            # RegisterTortoise keeps the ORM context as a global fallback: the lifespan runs in its own
            # task, and request tasks must see the same connections.
            async with (
                RegisterTortoise(app, config=tortoise_config(settings.database_url)),
                realtime.running(settings.database_url),  # LISTEN, on PostgreSQL
            ):
                tune_garbage_collector()
                yield
        finally:
            await mailer.drain(wait_at_most=10)  # what is still pending is filed in var/outbox/failed/

    graphql = PortailGraphQL(settings, mailer)
    dist = settings.frontend_dist
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", live_websocket.TransportWSOnly(graphql)),
        Route("/documents/{id:path}/download", download_document, methods=["GET"]),
        *export_routes,
        *ticket_export_routes,
        Mount("/assets", app=StaticFiles(directory=dist / "assets", check_dir=False), name="assets"),
        Route("/{path:path}", spa_fallback(dist), methods=["GET", "HEAD"]),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            BodySizeLimit, limit=settings.max_upload_request_bytes, json_limit=settings.max_request_bytes
        ),
        Middleware(Authentication, settings=settings),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.settings = settings
    app.state.mailer = mailer
    return app
