"""The interface every document store implements."""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import AsyncIterator
from typing import Protocol

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


def is_digest(value: str) -> bool:
    """A SHA-256 hex digest, lower case: the only keys a store accepts."""
    return bool(_DIGEST.match(value))


def blob_lock(digest: str) -> asyncio.Lock:
    """One lock per digest in this process.

    Held while writing a blob and committing the row that points to it, and
    while checking that no live row points to a blob before removing it, so
    that an upload and a deletion of the same bytes cannot interleave (within
    one process; see ``backend.services.documents`` for several workers).
    """
    lock = _locks.get(digest)
    if lock is None:
        lock = asyncio.Lock()
        _locks[digest] = lock
    return lock


class DocumentStore(Protocol):
    async def put(self, digest: str, data: bytes) -> bool:
        """Keep ``data`` under ``digest``; True when written now, False when it was there already."""
        ...

    async def exists(self, digest: str) -> bool: ...

    async def delete(self, digest: str) -> None:
        """Remove the blob; nothing happens when it is not there."""
        ...

    def stream(self, digest: str, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """The bytes, chunk by chunk (FileNotFoundError when missing)."""
        ...
