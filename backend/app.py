"""The Starlette application: routes, middleware, lifespan."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

from backend.auth.middleware import Authentication, may_mutate
from backend.db import tortoise_config
from backend.exports.routes import routes as export_routes
from backend.exports.ticket_routes import routes as ticket_export_routes
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
    b"content-security-policy": (
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"font-src 'self' data:; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
        b"base-uri 'self'; form-action 'self'"
    ),
}


# Ten attachments of 10 MB and the multipart envelope: anything larger is refused unread.
MAX_BODY_BYTES = 10 * 10 * 1024 * 1024 + 1024 * 1024


class BodySizeLimit:
    """Refuses request bodies over MAX_BODY_BYTES with 413, before they are spooled to disk."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
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

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS.items() if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class PortailGraphQL(GraphQL):
    """Strawberry's ASGI view with our context, orjson and a self-hosted GraphiQL."""

    def __init__(self, settings: Settings, mailer: Mailer) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql",
            multipart_uploads_enabled=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.settings = settings
        self.mailer = mailer

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

    async def render_graphql_ide(self, request: Any) -> Response:
        page = self.settings.frontend_dist / "graphiql.html"
        if not page.exists():
            return HTMLResponse(
                "<!doctype html><html lang='fr'><title>GraphiQL</title><main><h1>GraphiQL n'est pas construit"
                "</h1><p>Lancez <code>make run</code> pour construire l'interface.</p></main></html>",
                status_code=503,
            )
        return FileResponse(page, headers={"cache-control": "no-cache"})


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

    mailer = Mailer(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            if not manage_db:
                yield
                return
            # RegisterTortoise keeps the ORM context as a global fallback: the lifespan runs in its own
            # task, and request tasks must see the same connections.
            async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
                yield
        finally:
            await mailer.drain(wait_at_most=10)  # what is still pending is filed in var/outbox/failed/

    graphql = PortailGraphQL(settings, mailer)
    dist = settings.frontend_dist
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/documents/{id:path}/download", download_document, methods=["GET"]),
        *export_routes,
        *ticket_export_routes,
        Mount("/assets", app=StaticFiles(directory=dist / "assets", check_dir=False), name="assets"),
        Route("/{path:path}", spa_fallback(dist), methods=["GET", "HEAD"]),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(BodySizeLimit),
        Middleware(Authentication, settings=settings),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.settings = settings
    app.state.mailer = mailer
    return app
