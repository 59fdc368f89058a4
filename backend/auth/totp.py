"""Time-based one-time passwords (RFC 6238) for the optional two-factor login."""

from __future__ import annotations

import hmac

import pyotp

from backend import clock

ISSUER = "Portail Organisation"


def new_secret() -> str:
    """A fresh base32 secret (160 bits), to be confirmed with a first code before it is enabled."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str) -> str:
    """The otpauth:// URI that authenticator apps read from a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def matching_step(secret: str | None, code: str | None) -> int | None:
    """The 30-second time step whose code ``code`` is: the current one, or the one just before or
    after (clock drift); None when it is none of them. A login records the step it used, so that
    the same code cannot serve twice (RFC 6238, 5.2)."""
    if not secret or not code:
        return None
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(clock.now())
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify(secret: str | None, code: str | None) -> bool:
    """Whether ``code`` is the current code (or the one just before or after, for clock drift)."""
    return matching_step(secret, code) is not None


def current_code(secret: str) -> str:
    """The code an authenticator app shows now (tests and scripts)."""
    return pyotp.TOTP(secret).at(clock.now())
