"""Random secrets handed to a client once, and the digests we keep instead of them.

Session cookies, API tokens and e-mailed links carry a random secret; the
database stores only its HMAC-SHA-256 keyed with the portal's secret key
(PORTAIL_SECRET_KEY): a digest of 190+ random bits cannot be reversed, and
without the key a copy of the database cannot even check a guessed secret.
Looking a secret up is hashing it and reading one row by a unique index.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from backend.settings import get_settings


def random_secret(nbytes: int = 32) -> str:
    """URL-safe random text carrying ``nbytes`` bytes of entropy."""
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """What the database stores for ``secret`` (hex HMAC-SHA-256 with the secret key)."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()
