"""One way to open a write transaction, and one way to run it again when it lost a race.

SQLite: transactions start with BEGIN IMMEDIATE (``backend.db``), so writers
queue for the lock (``busy_timeout``) rather than failing; one that still
finds the database locked after the timeout has lost a race.
PostgreSQL: a serialization failure (40001) or a deadlock (40P01) aborts the
whole transaction; running the use case again from the start is the remedy.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tortoise.exceptions import OperationalError, TransactionManagementError
from tortoise.transactions import in_transaction

from backend.services.errors import DomainError

T = TypeVar("T")
log = logging.getLogger("portail.tx")

#: How many times a use case runs at most when it keeps losing races.
ATTEMPTS = 5


def transaction():
    """Every write of a use case, with its audit event, happens inside one of these."""
    return in_transaction("default")


def lost_race(error: BaseException) -> bool:
    """A transaction another one beat: SQLite busy, PostgreSQL serialization failure or deadlock."""
    if isinstance(error, (OperationalError, TransactionManagementError)) and re.search(
        r"database is locked|database table is locked|busy", str(error), re.I
    ):
        return True
    try:
        import asyncpg
    except ImportError:  # pragma: no cover
        return False
    for cause in (error, error.__cause__, error.__context__):
        if isinstance(cause, asyncpg.exceptions.TransactionRollbackError):  # 40001, 40P01, …
            return True
    return False


async def retrying(work: Callable[[], Awaitable[T]], attempts: int = ATTEMPTS) -> T:
    """Run ``work`` (a whole use case: its transaction and the checks before it), again when its
    transaction lost a race; domain errors and every other failure are never retried."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except DomainError:
            raise
        except Exception as error:
            if attempt == attempts or not lost_race(error):
                raise
            log.info("transaction lost a race (attempt %d of %d): %s", attempt, attempts, error)
            await asyncio.sleep(random.uniform(0.005, 0.02) * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover
