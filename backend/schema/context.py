"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from backend.schema.loaders import Loaders
from backend.settings import Settings


@dataclass
class Context:
    request: Request
    response: Any
    settings: Settings
    # The signed-in account (set by the authentication middleware); None when anonymous.
    viewer: Any = None
    loaders: Loaders = field(default_factory=Loaders)


Info = StrawberryInfo[Context, None]
