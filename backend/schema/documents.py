"""Documents: the ``Document`` type, the structure's attachments, upload, deletion and the download route.

Uploads follow the GraphQL multipart request spec (Strawberry's ``Upload``
scalar). Downloads are plain HTTP: ``GET /documents/<global id>/download``
with the session cookie or an ``Authorization: Bearer`` token, checked like
the document itself (:func:`backend.services.documents.visible_document`).
A document that does not exist and one the viewer may not read both answer
404, so ids cannot be probed; without a session or token: 401.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import strawberry
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from strawberry import relay
from strawberry.file_uploads import Upload

from backend import models
from backend.auth.requirements import MANAGE_STRUCTURE_DOCUMENTS
from backend.schema.context import Info
from backend.schema.errors import UserError
from backend.schema.mutations import mutation
from backend.schema.node import decode_id, register_node
from backend.schema.payloads import ERRORS_DESCRIPTION, DeletePayload, attempt
from backend.schema.permissions import Public, guarded
from backend.services import documents
from backend.services.errors import ValidationFailed
from backend.storage import store_for

if TYPE_CHECKING:
    from backend.schema.accounts import UserType

log = logging.getLogger("portail.documents")

UserRef = Annotated["UserType", strawberry.lazy("backend.schema.accounts")]
Arg = strawberry.argument

DOCUMENT_READER = Public(
    "whoever may read the document: Organisation consultation on its structure; for a RIB, Organisation "
    "modification on the structure of its bank account"
)
NOT_FOUND = "Ce document n'existe pas ou vous n'avez pas le droit de le télécharger."


def download_url(document_id: int) -> str:
    gid = str(relay.GlobalID("Document", str(document_id)))
    return f"/documents/{quote(gid, safe='')}/download"


@register_node
@strawberry.type(
    name="Document",
    description="A stored file: a structure's attachment (pièce jointe) or a bank account's RIB. Whoever may "
    "read it may download it at `downloadUrl`.",
)
class DocumentType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @guarded(
        DOCUMENT_READER, description="File name as uploaded (50 characters at most, with its extension)."
    )
    def filename(self) -> str:
        return self.row.filename

    @guarded(DOCUMENT_READER, description="Media type, derived from the extension (not from the client).")
    def content_type(self) -> str:
        return self.row.content_type

    @guarded(DOCUMENT_READER, description="Size in bytes (10 MB at most).")
    def size(self) -> int:
        return self.row.size

    @guarded(DOCUMENT_READER, description="SHA-256 of the content, lowercase hex.")
    def sha256(self) -> str:
        return self.row.sha256

    @guarded(
        DOCUMENT_READER,
        description="Relative URL; GET it with the same session or token. Checked like the document itself "
        "(404 for a document that does not exist and for one the viewer may not read).",
    )
    def download_url(self) -> str:
        return download_url(self.row.id)

    @guarded(DOCUMENT_READER, description="Who uploaded it, if the account still exists.")
    async def uploaded_by(self, info: Info) -> UserRef | None:
        from backend.schema.accounts import UserType

        if self.row.uploaded_by_id is None:
            return None
        user = await info.context.loaders.by_id(models.User).load(self.row.uploaded_by_id)
        return UserType.from_row(user) if user else None

    @guarded(DOCUMENT_READER, description="When it was uploaded.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @classmethod
    def from_row(cls, row: Any) -> DocumentType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> DocumentType | None:
        row = await documents.visible_document(await info.context.grants(), pk)
        return cls.from_row(row) if row else None


@strawberry.type(description="The answer of uploadStructureDocument.")
class DocumentPayload:
    document: DocumentType | None = strawberry.field(default=None, description="The stored document.")
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type
class DocumentMutation:
    @mutation(
        requires=MANAGE_STRUCTURE_DOCUMENTS,
        description="Attach a document to a structure (multipart request, GraphQL multipart request spec). At "
        "most 10 MB, a name of 50 characters at most with its extension, an accepted extension, and content "
        "that matches it (VALIDATION otherwise).",
    )
    async def upload_structure_document(
        self,
        info: Info,
        structure_id: Annotated[strawberry.ID, Arg(description="The structure.")],
        file: Annotated[Upload, Arg(description="The file (a multipart part named in `map`).")],
    ) -> DocumentPayload:
        async def work() -> models.Document:
            pk = decode_id(structure_id, "Structure", ["structureId"])
            return await documents.upload_structure_document(
                info.context.viewer, pk, file, settings=info.context.settings
            )

        row, errors = await attempt(work())
        return DocumentPayload(document=DocumentType.from_row(row) if row else None, errors=errors)

    @mutation(
        requires=MANAGE_STRUCTURE_DOCUMENTS,
        description="Delete a document attached to a structure. The row is kept, marked deleted, for the audit "
        "trail; the file is removed when no other document has the same content. RIBs are replaced through "
        "updateBankAccount, not deleted here.",
    )
    async def delete_structure_document(
        self, info: Info, id: Annotated[strawberry.ID, Arg(description="The document.")]
    ) -> DeletePayload:
        async def work() -> int:
            pk = decode_id(id, "Document", ["id"])
            return await documents.delete_structure_document(
                info.context.viewer, pk, settings=info.context.settings
            )

        deleted, errors = await attempt(work())
        return DeletePayload(deleted_id=strawberry.ID(id) if deleted else None, errors=errors)


# ----------------------------------------------------------------------------------------- download


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact name in RFC 5987 ``filename*``."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c if c.isprintable() and c not in '"\\;' else "_" for c in ascii_name) or "document"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _refusal(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status, headers={"cache-control": "no-store"})


async def download_document(request: Request) -> Response:
    """GET /documents/{id}/download: the bytes, as an attachment, if the viewer may read the document."""
    viewer = getattr(request.state, "viewer", None)
    if viewer is None:
        return _refusal(401, "Vous devez être connecté pour télécharger ce document.")
    try:
        pk = decode_id(request.path_params["id"], "Document", ["id"])
    except ValidationFailed:
        return _refusal(404, NOT_FOUND)
    row = await documents.visible_document(await viewer.grants(), pk)
    if row is None:
        return _refusal(404, NOT_FOUND)
    store = store_for(request.app.state.settings)
    if not await store.exists(row.sha256):
        log.error("document %s: blob %s is missing from the store", row.id, row.sha256)
        return _refusal(404, NOT_FOUND)
    headers = {
        "content-disposition": content_disposition(row.filename),
        "content-length": str(row.size),
        "x-content-type-options": "nosniff",
        "cache-control": "private, no-store",
        "content-security-policy": "default-src 'none'; sandbox",
        "cross-origin-resource-policy": "same-origin",
    }
    return StreamingResponse(store.stream(row.sha256), media_type=row.content_type, headers=headers)
