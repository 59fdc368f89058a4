"""Random secrets handed to a client once, and the digests we keep instead of them.

Session cookies, API tokens and e-mailed links carry a random secret; the
database stores only its SHA-256 (a digest of 190+ random bits cannot be
reversed, and needs no salt). Looking a secret up is hashing it and reading
one row by a unique index.
"""

from __future__ import annotations

import hashlib
import secrets


def random_secret(nbytes: int = 32) -> str:
    """URL-safe random text carrying ``nbytes`` bytes of entropy."""
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """What the database stores for ``secret`` (hex SHA-256)."""
    return hashlib.sha256(secret.encode()).hexdigest()
