"""The current time, in one place, so that tests can move it instead of sleeping.

Every rule that depends on time (session expiry, login lock, link validity,
rate-limit windows, TOTP codes) asks :func:`now`. Tests shift it with
:func:`advance` and put it back with :func:`reset` (the ``clock`` fixture).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    """The current time in UTC (timezone-aware), shifted by tests if they asked to."""
    return datetime.now(UTC) + _offset


def advance(delta: timedelta) -> None:
    """Move the clock forward (or back, with a negative delta). For tests only."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)
