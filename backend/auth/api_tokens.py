"""Personal API tokens: ``Authorization: Bearer pot_…`` acts as the token's owner.

The secret is ``pot_`` followed by 40 random letters and digits, shown once
at creation; the database keeps its SHA-256 and its first 8 characters (the
``prefix`` shown in lists). An expired or revoked token, or one whose owner
is not ACTIVE, authenticates nobody. ``last_used_at`` is written at most once
a minute.
"""

from __future__ import annotations

import secrets
import string
from datetime import timedelta

from tortoise.expressions import Q

from backend import clock, models
from backend.auth.tokens import digest
from backend.auth.viewer import Viewer
from backend.models import AccountStatus

SECRET_PREFIX = "pot_"
SECRET_LENGTH = 40
SHOWN_PREFIX_LENGTH = 8
TOUCH_EVERY = timedelta(minutes=1)
_ALPHABET = string.ascii_letters + string.digits


def new_secret() -> str:
    return SECRET_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LENGTH))


def shown_prefix(secret: str) -> str:
    return secret[:SHOWN_PREFIX_LENGTH]


async def token_viewer(secret: str) -> Viewer | None:
    """The viewer behind a bearer secret, or None when the token does not (or no longer) work."""
    if not secret:
        return None
    now = clock.now()
    token = (
        await models.ApiToken.filter(
            Q(expires_at=None) | Q(expires_at__gt=now), secret_hash=digest(secret), revoked_at=None
        )
        .select_related("user")
        .first()
    )
    if token is None or token.user.status != AccountStatus.ACTIVE:
        return None
    if token.last_used_at is None or token.last_used_at <= now - TOUCH_EVERY:
        await models.ApiToken.filter(
            Q(last_used_at=None) | Q(last_used_at__lte=now - TOUCH_EVERY), id=token.id
        ).update(last_used_at=now)
        token.last_used_at = now
    return Viewer(user=token.user, token=token)
