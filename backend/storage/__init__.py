"""The document store: where the bytes of documents live.

Blobs are content-addressed: a blob's key is the SHA-256 of its bytes (64
lowercase hex digits), so the user's file name never reaches a path, and two
documents with the same bytes share one blob. The database keeps, per
document, the name, the type, the size and the digest; the store keeps only
bytes. :func:`store_for` gives the configured store (files on disk under
``settings.documents_dir``, ``PORTAIL_DOCUMENTS_DIR``).
"""

from __future__ import annotations

from backend.settings import Settings
from backend.storage.base import DocumentStore, is_digest
from backend.storage.disk import DiskStore


def store_for(settings: Settings) -> DocumentStore:
    return DiskStore(settings.documents_dir)


__all__ = ["DiskStore", "DocumentStore", "is_digest", "store_for"]
