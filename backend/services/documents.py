"""Documents (pièces jointes) of a structure, and the stored files behind RIBs.

Who may read a document (the ``Document`` type, ``node(id:)`` and the
download route apply the same rule, :func:`visible_document`):

- the RIB of a bank account (a document that a bank account points to):
  Organisation modification on the structure of that account — the RIB
  shows the full IBAN. RIB rows carry no ``structure_id``, so they never
  appear in ``Structure.documents`` and ``deleteStructureDocument`` cannot
  reach them; they are managed through their bank account;
- a document attached to a structure: Organisation consultation on it;
- a ticket's attachment: whoever may read the ticket
  (``backend.services.tickets.document_readable``).

Storage: the bytes are kept once per content in the document store (the
blob's name is the SHA-256 of the bytes, never the user's file name); each
``Document`` row keeps the name, the type derived from the extension, the
size and the digest. ``storage_key`` is ``<sha256>/<random>``: unique per
row, as the model requires, while rows with the same bytes share one blob.

Deletion (design choice): the row is soft-deleted (``deleted_at``), so that
the audit trail keeps what was there; the blob is removed as soon as no
live row points to the same digest. The check and the removal hold a
per-digest lock that an upload of the same bytes also holds from writing
the blob to committing its row, so the two cannot interleave within one
process. Across several workers a deletion racing an upload of identical
bytes could remove a blob a new row points to; the download then answers
404 and logs it, and the user uploads again.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from backend import clock, models
from backend.auth.grants import ORGANISATION, Grants
from backend.auth.requirements import MANAGE_STRUCTURE_DOCUMENTS
from backend.auth.viewer import Viewer
from backend.services.access import NOT_ALLOWED, require, signed_in, structure_for
from backend.services.audit import audit
from backend.services.errors import Forbidden, Required, ValidationFailed
from backend.services.tx import transaction
from backend.settings import Settings
from backend.storage import DocumentStore, store_for
from backend.storage.base import blob_lock
from backend.validation import Field
from backend.validation.documents import MAX_SIZE, CheckedFile, check_file

T = TypeVar("T")

NOT_A_FILE = (
    "Le fichier doit être envoyé dans une requête multipart (spécification « GraphQL multipart request »), "
    "pas comme du texte."
)


# ------------------------------------------------------------------------------------------ files


async def read_upload(upload: Any, field: Field, *, missing: str) -> tuple[str | None, bytes]:
    """The client's file name and at most ``MAX_SIZE + 1`` bytes (enough to tell it is too large)."""
    if upload is None:
        raise Required(missing, field=field)
    if not callable(getattr(upload, "read", None)):
        raise ValidationFailed(NOT_A_FILE, field=field)
    data = await upload.read(MAX_SIZE + 1)
    return getattr(upload, "filename", None), bytes(data)


def storage_key(digest: str) -> str:
    return f"{digest}/{secrets.token_hex(8)}"


async def create_row(
    checked: CheckedFile, *, uploaded_by: models.User | None, structure_id: int | None = None
) -> models.Document:
    """The row of a checked file (inside the caller's transaction, after :func:`stored_then`)."""
    return await models.Document.create(
        structure_id=structure_id,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        storage_key=storage_key(checked.sha256),
        uploaded_by=uploaded_by,
    )


async def stored_then(store: DocumentStore, checked: CheckedFile, write: Callable[[], Awaitable[T]]) -> T:
    """Write the blob, then run ``write`` (the transaction creating its row); on failure no blob is left
    behind unless a live row already pointed to it."""
    async with blob_lock(checked.sha256):
        await store.put(checked.sha256, checked.data)
        try:
            return await write()
        except Exception:
            await _remove_if_unused(store, checked.sha256)
            raise


async def release_blob(store: DocumentStore, digest: str) -> None:
    """After a row pointing to ``digest`` was soft-deleted (and committed): remove the blob if unused."""
    async with blob_lock(digest):
        await _remove_if_unused(store, digest)


async def _remove_if_unused(store: DocumentStore, digest: str) -> None:
    if not await models.Document.filter(sha256=digest, deleted_at=None).exists():
        await store.delete(digest)


# ------------------------------------------------------------------------------------------ reads


async def visible_document(grants: Grants, document_id: int) -> models.Document | None:
    """The live document, if the viewer may read (and download) it; None for a missing one alike."""
    row = await models.Document.get_or_none(id=document_id, deleted_at=None)
    if row is None:
        return None
    return row if await may_read(grants, row) else None


async def may_read(grants: Grants, row: models.Document) -> bool:
    rib_of = await models.BankAccount.filter(rib_document_id=row.id).values_list("structure_id", flat=True)
    if rib_of:
        return any(grants.has(ORGANISATION.modification, structure_id) for structure_id in rib_of)
    if row.ticket_id is not None or row.ticket_activity_id is not None:
        from backend.services.tickets import document_readable

        return await document_readable(grants, row)  # whoever may read the ticket
    if row.structure_id is not None:
        return grants.has(ORGANISATION.consultation, row.structure_id)
    return False


# ------------------------------------------------------------------------------------------ writes


async def upload_structure_document(
    viewer: Viewer | None, structure_id: int, upload: Any, *, settings: Settings
) -> models.Document:
    """Créer une pièce jointe: the file is checked (size, name, extension, content), stored, recorded."""
    structure = await structure_for(viewer, structure_id, MANAGE_STRUCTURE_DOCUMENTS.need)
    user = signed_in(viewer).user
    filename, data = await read_upload(upload, ["file"], missing="Joignez un fichier.")
    checked = check_file(filename, data, ["file"])

    async def write() -> models.Document:
        async with transaction():
            document = await create_row(checked, uploaded_by=user, structure_id=structure.id)
            await audit(
                user,
                "document.upload",
                document,
                structure_id=structure.id,
                after={"filename": document.filename, "size": document.size, "sha256": document.sha256},
            )
        return document

    return await stored_then(store_for(settings), checked, write)


async def delete_structure_document(viewer: Viewer | None, document_id: int, *, settings: Settings) -> int:
    """Supprimer une pièce jointe: soft-deletes the row, removes the blob when no live row uses it."""
    row = await models.Document.get_or_none(id=document_id, deleted_at=None)
    if (
        row is None
        or row.structure_id is None
        or row.ticket_id is not None
        or row.ticket_activity_id is not None
    ):
        signed_in(viewer)
        raise Forbidden(NOT_ALLOWED)
    await require(viewer, MANAGE_STRUCTURE_DOCUMENTS.need, row.structure_id)
    user = signed_in(viewer).user
    async with transaction():
        changed = await models.Document.filter(id=row.id, deleted_at=None).update(deleted_at=clock.now())
        if not changed:  # deleted meanwhile by someone else
            raise Forbidden(NOT_ALLOWED)
        await audit(
            user,
            "document.delete",
            row,
            structure_id=row.structure_id,
            before={"filename": row.filename, "size": row.size, "sha256": row.sha256},
        )
    await release_blob(store_for(settings), row.sha256)
    return row.id
