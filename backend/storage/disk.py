"""Blobs as files on disk: ``<root>/<first two hex digits>/<sha256>``.

Writes go to a temporary file in the same directory, are flushed to disk,
then renamed into place, so a reader never sees half a file. Files are
readable by the server's user only.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import anyio

from backend.storage.base import is_digest


class DiskStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        if not is_digest(digest):
            raise ValueError("a blob key is a lowercase SHA-256 hex digest")
        return self.root / digest[:2] / digest

    async def put(self, digest: str, data: bytes) -> bool:
        path = self.path(digest)
        return await anyio.to_thread.run_sync(_write_once, path, data)

    async def exists(self, digest: str) -> bool:
        return await anyio.Path(self.path(digest)).is_file()

    async def delete(self, digest: str) -> None:
        await anyio.Path(self.path(digest)).unlink(missing_ok=True)

    async def stream(self, digest: str, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self.path(digest), "rb") as file:
            while chunk := await file.read(chunk_size):
                yield chunk


def _write_once(path: Path, data: bytes) -> bool:
    if path.is_file() and path.stat().st_size == len(data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return True
