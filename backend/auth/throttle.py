"""Login throttling: attempts per client address, and the lock of an email after five failures.

Both are kept in the database, so that they hold across the workers of a
PostgreSQL deployment and across restarts.

- :func:`hit` counts attempts per client address over a sliding window (a
  minute for logins, an hour for sign-ups…: the current fixed window plus
  the weighted part of the previous one) and refuses beyond the limit
  (RATE_LIMITED). The counters are named rows of the atomic counter table
  (``number_sequence``: ``rl:<action>:<client digest>:<window>``); the
  counters of older windows are deleted as new windows start.
- :func:`locked_until` applies the account rule of the original portal:
  five failed logins for one email string within an hour lock that email
  for an hour from the fifth failure (ACCOUNT_LOCKED). Failures are
  ``LoginFailure`` rows, counted per email string whether or not an account
  exists, so the answer reveals nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from backend import clock, models
from backend.auth.tokens import digest
from backend.models.sequences import next_value
from backend.services.errors import RateLimited

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
LOCK_AFTER = 5
LOCK_WINDOW = HOUR
LOCK_DURATION = HOUR
_COUNTER_PREFIX = "rl:"


async def hit(action: str, client: str, *, limit: int, window: timedelta) -> None:
    """Count one attempt of ``action`` by ``client``; RateLimited beyond ``limit`` per ``window``.

    A limit of 0 (or less) disables the check.
    """
    if limit <= 0:
        return
    now = clock.now().timestamp()
    seconds = window.total_seconds()
    bucket = int(now // seconds)
    scope = f"{_COUNTER_PREFIX}{action}:"
    key = f"{scope}{digest(client or '-')[:16]}:"
    count = await next_value(f"{key}{bucket}")
    if count == 1:  # a new window for this client: forget the windows that are over
        await (
            models.Sequence.filter(name__startswith=scope)
            .exclude(name__endswith=f":{bucket}")
            .exclude(name__endswith=f":{bucket - 1}")
            .delete()
        )
    # A sliding window: the previous window's attempts count for the part of it still within
    # ``window`` of now, so a burst across a window boundary cannot get twice the limit.
    previous = await models.Sequence.filter(name=f"{key}{bucket - 1}").first()
    weight = 1 - (now % seconds) / seconds
    if count + (previous.value if previous else 0) * weight > limit:
        raise RateLimited("Trop de tentatives depuis votre adresse : réessayez dans quelques minutes.")


def email_key(email: str) -> str:
    """The email string failures are counted under: trimmed, lower-cased, at most 254 characters."""
    return email.strip().lower()[:254]


async def locked_until(email: str) -> datetime | None:
    """When the lock of this email string ends, or None when it is not locked."""
    now = clock.now()
    times = (
        await models.LoginFailure.filter(email=email_key(email), at__gt=now - LOCK_WINDOW - LOCK_DURATION)
        .order_by("at")
        .values_list("at", flat=True)
    )
    until = None
    for i in range(LOCK_AFTER - 1, len(times)):
        if times[i] - times[i - LOCK_AFTER + 1] <= LOCK_WINDOW and times[i] + LOCK_DURATION > now:
            until = times[i] + LOCK_DURATION
    return until


async def record_failure(email: str, client: str) -> None:
    """Record one failed login (and forget the failures too old to count any more)."""
    now = clock.now()
    await models.LoginFailure.filter(at__lte=now - LOCK_WINDOW - LOCK_DURATION).delete()
    await models.LoginFailure.create(email=email_key(email), client_ip=(client or "")[:45], at=now)


async def forget_failures(email: str) -> None:
    """After a successful login or a password reset the count starts again."""
    await models.LoginFailure.filter(email=email_key(email)).delete()
