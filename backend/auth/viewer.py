"""Who is asking: the account behind a session cookie or an API token."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from backend import models
from backend.auth.grants import Grants


@dataclass
class Viewer:
    user: models.User
    session: models.Session | None = None
    token: models.ApiToken | None = None
    _grants: asyncio.Future[Grants] | None = field(default=None, repr=False)

    @property
    def read_only(self) -> bool:
        """A read-only API token may run queries only."""
        return self.token is not None and bool(self.token.read_only)

    @property
    def by_session(self) -> bool:
        return self.session is not None

    async def grants(self) -> Grants:
        """The viewer's habilitations: one query, the first time a guard or a service asks."""
        if self._grants is None:
            self._grants = asyncio.ensure_future(Grants.load(self.user))
        return await self._grants

    def loaded_grants(self) -> Grants | None:
        """The grants if already loaded for this request (guards of sync fields check them at once)."""
        future = self._grants
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            return None
        return future.result()

    def forget_grants(self) -> None:
        """After a change of the viewer's own habilitations within the request."""
        self._grants = None


ANONYMOUS_GRANTS = Grants(user_id=None)
