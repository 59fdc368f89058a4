"""Time-based one-time passwords (RFC 6238) for the optional two-factor login."""

from __future__ import annotations

import pyotp

from backend import clock

ISSUER = "Portail Organisation"


def new_secret() -> str:
    """A fresh base32 secret (160 bits), to be confirmed with a first code before it is enabled."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str) -> str:
    """The otpauth:// URI that authenticator apps read from a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def verify(secret: str | None, code: str | None) -> bool:
    """Whether ``code`` is the current code (or the one just before or after, for clock drift)."""
    if not secret or not code:
        return False
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return False
    return pyotp.TOTP(secret).verify(code, for_time=clock.now(), valid_window=1)


def current_code(secret: str) -> str:
    """The code an authenticator app shows now (tests and scripts)."""
    return pyotp.TOTP(secret).at(clock.now())
