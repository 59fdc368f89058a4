"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from backend.auth.grants import Grants
from backend.auth.viewer import ANONYMOUS_GRANTS, Viewer
from backend.schema.loaders import Loaders
from backend.services.mail import Mailer
from backend.settings import Settings


@dataclass
class Context:
    request: Request
    response: Any
    settings: Settings
    # The signed-in account (set by the authentication middleware); None when anonymous.
    viewer: Viewer | None = None
    # CSRF: False when a foreign page could have sent this request (backend.auth.middleware.may_mutate).
    may_mutate: bool = False
    # Sends mail after the transaction commits (backend.services.mail).
    mailer: Mailer | None = None
    loaders: Loaders = field(default_factory=Loaders)
    # A WebSocket's connection_init payload (graphql-transport-ws), set by Strawberry.
    connection_params: dict[str, Any] | None = None

    async def grants(self) -> Grants:
        """The viewer's habilitations, loaded once per request."""
        return await self.viewer.grants() if self.viewer is not None else ANONYMOUS_GRANTS


Info = StrawberryInfo[Context, None]
