"""Documents attached to a structure, through the API: multipart upload (GraphQL multipart request
spec), listing, download over plain HTTP (cookie or bearer token), deletion.

The helpers at the top (world, browsers, multipart uploads, files on disk) are shared with
tests/api/test_bank_accounts.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from strawberry import relay

from backend import models
from tests.conftest import GraphQLClient
from tests.world import PASSWORD, World, build_world

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
DOCX = b"PK\x03\x04\x14\x00\x06\x00" + b"[Content_Types].xml" + b"\x00" * 40
TEXT = "Compte rendu de la réunion du 12 mars.\n".encode()
MAX_SIZE = 10 * 1024 * 1024

UPLOAD = """mutation($structureId: ID!, $file: Upload!) {
  uploadStructureDocument(structureId: $structureId, file: $file) {
    document { id filename contentType size sha256 downloadUrl createdAt uploadedBy { lastName } }
    errors { code field message }
  }
}"""
DELETE = (
    """mutation($id: ID!) { deleteStructureDocument(id: $id) { deletedId errors { code field message } } }"""
)
DOCUMENTS = """query($id: ID!) { structure(id: $id) { documents { id filename size } } }"""


def gid(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def pk_of(global_id: str) -> int:
    return int(relay.GlobalID.from_id(global_id).node_id)


class Browsers:
    """One logged-in browser (its own cookie jar) per role of the world, made on demand."""

    def __init__(self, app: Starlette, world: World) -> None:
        self.app = app
        self.world = world
        self._clients: dict[str, GraphQLClient] = {}

    def anonymous(self) -> GraphQLClient:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://testserver")
        client = GraphQLClient(http)
        self._clients[f"anonymous-{len(self._clients)}"] = client
        return client

    async def __call__(self, role: str) -> GraphQLClient:
        if role not in self._clients:
            client = self.anonymous()
            body = await client.post(
                "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { errors { code } } }",
                {"e": self.world.email(role), "p": PASSWORD},
            )
            assert body["data"]["logIn"]["errors"] == [], body
            self._clients[role] = client
        return self._clients[role]

    async def close(self) -> None:
        for client in self._clients.values():
            await client.http.aclose()


@pytest.fixture(name="world")
async def world_fixture(db) -> World:
    return await build_world()


@pytest.fixture(name="browsers")
async def browsers_fixture(app: Starlette, world: World) -> AsyncIterator[Browsers]:
    helper = Browsers(app, world)
    yield helper
    await helper.close()


@pytest.fixture(name="documents_dir")
def documents_dir_fixture(db) -> Path:
    """The document store of the test app, emptied for each test."""
    import shutil

    folder = Path(db.documents_dir)
    if folder.exists():
        shutil.rmtree(folder)
    return folder


def stored_files(folder: Path) -> list[str]:
    """Every file of the store (temporary files included), by name."""
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


async def multipart(
    client: GraphQLClient,
    query: str,
    variables: dict[str, Any],
    files: dict[str, tuple[str, bytes, str]],
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A GraphQL multipart request: ``files`` maps a variable path (``input.ribDocument``) to a file."""
    mapping = {str(i): [f"variables.{path}"] for i, path in enumerate(files)}
    parts = {str(i): spec for i, spec in enumerate(files.values())}
    response = await client.http.post(
        "/graphql",
        data={"operations": json.dumps({"query": query, "variables": variables}), "map": json.dumps(mapping)},
        files=parts,
        headers=client.headers if headers is None else headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


async def upload(
    client: GraphQLClient, structure_id: int, name: str, data: bytes, mime: str = "application/pdf"
):
    body = await multipart(
        client,
        UPLOAD,
        {"structureId": gid("Structure", structure_id), "file": None},
        {"file": (name, data, mime)},
    )
    assert "errors" not in body, body
    return body["data"]["uploadStructureDocument"]


async def nothing_written(folder: Path) -> None:
    assert await models.Document.all().count() == 0
    assert await models.AuditEvent.filter(action__startswith="document.").count() == 0
    assert stored_files(folder) == []


# ------------------------------------------------------------------------------------------ upload


async def test_a_manager_uploads_a_document_stored_under_its_digest(browsers, world, documents_dir) -> None:
    manager = await browsers("manager")
    payload = await upload(manager, world.structure.id, "Statuts signés.pdf", PDF)
    assert payload["errors"] == []
    document = payload["document"]
    digest = hashlib.sha256(PDF).hexdigest()
    assert document["filename"] == "Statuts signés.pdf"
    assert document["contentType"] == "application/pdf"
    assert document["size"] == len(PDF)
    assert document["sha256"] == digest
    assert document["uploadedBy"] == {"lastName": "Monde"}
    assert document["downloadUrl"].startswith("/documents/") and document["downloadUrl"].endswith("/download")
    # on disk: one file named by the content's digest, never by the user's file name
    assert stored_files(documents_dir) == [digest]
    assert (documents_dir / digest[:2] / digest).read_bytes() == PDF
    row = await models.Document.get(id=pk_of(document["id"]))
    assert (row.structure_id, row.uploaded_by_id, row.deleted_at) == (
        world.structure.id,
        world.users["manager"].id,
        None,
    )
    assert "Statuts" not in row.storage_key and row.storage_key.startswith(digest)
    event = await models.AuditEvent.get(action="document.upload")
    assert (event.actor_id, event.structure_id, event.target_id) == (
        world.users["manager"].id,
        world.structure.id,
        str(row.id),
    )

    listed = await manager.query(DOCUMENTS, {"id": gid("Structure", world.structure.id)})
    assert listed["structure"]["documents"] == [
        {"id": document["id"], "filename": "Statuts signés.pdf", "size": len(PDF)}
    ]


async def test_the_same_content_twice_is_stored_once(browsers, world, documents_dir) -> None:
    manager = await browsers("manager")
    first = await upload(manager, world.structure.id, "a.txt", TEXT, "text/plain")
    second = await upload(manager, world.structure.id, "b.txt", TEXT, "text/plain")
    assert first["errors"] == second["errors"] == []
    assert first["document"]["id"] != second["document"]["id"]
    assert stored_files(documents_dir) == [hashlib.sha256(TEXT).hexdigest()]


async def test_the_content_type_comes_from_the_extension_not_from_the_client(
    browsers, world, documents_dir
) -> None:
    manager = await browsers("manager")
    payload = await upload(
        manager, world.structure.id, "page.html", b"<html><script>alert(1)</script></html>", "image/png"
    )
    assert payload["document"]["contentType"] == "text/html"


BAD_FILES = [
    pytest.param("gros.pdf", PDF + b"0" * MAX_SIZE, "10 Mo", id="oversized"),
    pytest.param("n" * 47 + ".pdf", PDF, "50 au plus", id="name-too-long"),
    pytest.param("programme.exe", b"MZ\x90\x00", "n'est pas accepté", id="forbidden-extension"),
    pytest.param("sans-extension", TEXT, "n'est pas accepté", id="no-extension"),
    pytest.param("facture.pdf", TEXT, "ne correspond pas à son extension .pdf", id="text-disguised-as-pdf"),
    pytest.param("photo.png", JPEG, "ne correspond pas à son extension .png", id="jpeg-named-png"),
    pytest.param("tableau.xlsx", PDF, "ne correspond pas à son extension .xlsx", id="pdf-named-xlsx"),
    pytest.param("notes.txt", b"texte\x00\x01binaire", "données binaires", id="nul-bytes-in-text"),
    pytest.param("vide.txt", b"", "vide", id="empty"),
]


@pytest.mark.parametrize(("name", "data", "fragment"), BAD_FILES)
async def test_a_bad_file_is_refused_and_nothing_is_written(
    browsers, world, documents_dir, name: str, data: bytes, fragment: str
) -> None:
    manager = await browsers("manager")
    payload = await upload(manager, world.structure.id, name, data)
    assert payload["document"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("VALIDATION", ["file"])]
    assert fragment in payload["errors"][0]["message"]
    await nothing_written(documents_dir)


async def test_several_faults_of_one_file_come_at_once(browsers, world, documents_dir) -> None:
    manager = await browsers("manager")
    payload = await upload(manager, world.structure.id, "x" * 60 + ".exe", b"MZ" + b"0" * MAX_SIZE)
    assert [e["code"] for e in payload["errors"]] == ["VALIDATION"] * 3
    await nothing_written(documents_dir)


async def test_a_file_sent_as_text_instead_of_a_multipart_part_is_refused(
    browsers, world, documents_dir
) -> None:
    manager = await browsers("manager")
    body = await manager.post(
        UPLOAD, {"structureId": gid("Structure", world.structure.id), "file": "JVBERi0xLjQ="}
    )
    payload = body["data"]["uploadStructureDocument"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("VALIDATION", ["file"])]
    assert "multipart" in payload["errors"][0]["message"]
    await nothing_written(documents_dir)


@pytest.mark.parametrize("role", ["member", "consultant", "service_member", "stranger", "support"])
async def test_uploading_needs_organisation_modification(browsers, world, documents_dir, role: str) -> None:
    client = await browsers(role)
    payload = await upload(client, world.structure.id, "a.pdf", PDF)
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    await nothing_written(documents_dir)


async def test_an_unknown_structure_answers_like_a_forbidden_one(browsers, world, documents_dir) -> None:
    stranger = await browsers("stranger")
    unknown = await upload(stranger, 999_999, "a.pdf", PDF)
    forbidden = await upload(stranger, world.structure.id, "a.pdf", PDF)
    assert unknown["errors"] == forbidden["errors"]
    wrong_type = await multipart(
        stranger,
        UPLOAD,
        {"structureId": gid("Service", world.service.id), "file": None},
        {"file": ("a.pdf", PDF, "application/pdf")},
    )
    assert [(e["code"], e["field"]) for e in wrong_type["data"]["uploadStructureDocument"]["errors"]] == [
        ("VALIDATION", ["structureId"])
    ]
    await nothing_written(documents_dir)


async def test_anonymous_uploads_are_refused(browsers, world, documents_dir) -> None:
    payload = await upload(browsers.anonymous(), world.structure.id, "a.pdf", PDF)
    assert [e["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]
    await nothing_written(documents_dir)


async def test_a_multipart_upload_without_the_csrf_header_is_refused(browsers, world, documents_dir) -> None:
    manager = await browsers("manager")
    body = await multipart(
        manager,
        UPLOAD,
        {"structureId": gid("Structure", world.structure.id), "file": None},
        {"file": ("a.pdf", PDF, "application/pdf")},
        headers={},
    )
    assert [e["code"] for e in body["data"]["uploadStructureDocument"]["errors"]] == ["FORBIDDEN"]
    await nothing_written(documents_dir)


# ------------------------------------------------------------------------------------------ read


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("manager", True),
        ("member", True),
        ("consultant", True),
        ("admin", True),
        ("service_member", False),
        ("stranger", False),
    ],
)
async def test_the_documents_list_needs_organisation_consultation(
    browsers, world, documents_dir, role, visible
) -> None:
    await upload(await browsers("manager"), world.structure.id, "a.pdf", PDF)
    body = await (await browsers(role)).post(DOCUMENTS, {"id": gid("Structure", world.structure.id)})
    documents = body["data"]["structure"]["documents"]
    if visible:
        assert [d["filename"] for d in documents] == ["a.pdf"]
    else:
        assert documents is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_node_applies_the_same_rule(browsers, world, documents_dir) -> None:
    document = (await upload(await browsers("manager"), world.structure.id, "a.pdf", PDF))["document"]
    query = "query($id: ID!) { node(id: $id) { ... on Document { filename } } }"
    seen = await (await browsers("member")).query(query, {"id": document["id"]})
    assert seen["node"] == {"filename": "a.pdf"}
    hidden = await (await browsers("stranger")).post(query, {"id": document["id"]})
    missing = await (await browsers("stranger")).post(query, {"id": gid("Document", 999_999)})
    assert hidden["data"]["node"] is None and missing["data"]["node"] is None
    assert hidden["errors"][0]["message"] == missing["errors"][0]["message"]
    assert hidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# ------------------------------------------------------------------------------------------ download


async def test_download_with_the_session_cookie(browsers, world, documents_dir) -> None:
    manager = await browsers("manager")
    document = (await upload(manager, world.structure.id, "Relevé d'identité.pdf", PDF))["document"]
    for role in ("manager", "member", "consultant", "admin"):
        response = await (await browsers(role)).http.get(document["downloadUrl"])
        assert response.status_code == 200, (role, response.text)
        assert response.content == PDF
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-length"] == str(len(PDF))
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "private, no-store"
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''Relev%C3%A9%20d%27identit%C3%A9.pdf" in disposition
        assert 'filename="Releve d\'identite.pdf"' in disposition


async def test_download_with_a_bearer_token(browsers, world, documents_dir) -> None:
    manager = await browsers("manager")
    document = (await upload(manager, world.structure.id, "a.pdf", PDF))["document"]
    created = await manager.query(
        'mutation { createApiToken(name: "Téléchargements", readOnly: true) { secret errors { code } } }'
    )
    secret = created["createApiToken"]["secret"]
    integrator = browsers.anonymous()
    response = await integrator.http.get(
        document["downloadUrl"], headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200 and response.content == PDF
    refused = await integrator.http.get(document["downloadUrl"], headers={"Authorization": "Bearer nope"})
    assert refused.status_code == 401


async def test_a_forbidden_and_a_missing_document_answer_the_same_404(browsers, world, documents_dir) -> None:
    document = (await upload(await browsers("manager"), world.structure.id, "a.pdf", PDF))["document"]
    stranger = await browsers("stranger")
    forbidden = await stranger.http.get(document["downloadUrl"])
    missing = await stranger.http.get(f"/documents/{gid('Document', 999_999)}/download")
    malformed = await stranger.http.get("/documents/pas-un-identifiant/download")
    other_type = await stranger.http.get(f"/documents/{gid('Structure', world.structure.id)}/download")
    for response in (forbidden, missing, malformed, other_type):
        assert response.status_code == 404
        assert response.json() == forbidden.json()
    service_member = await (await browsers("service_member")).http.get(document["downloadUrl"])
    assert service_member.status_code == 404


async def test_download_without_credentials_is_401(browsers, world, documents_dir) -> None:
    document = (await upload(await browsers("manager"), world.structure.id, "a.pdf", PDF))["document"]
    response = await browsers.anonymous().http.get(document["downloadUrl"])
    assert response.status_code == 401
    assert "connecté" in response.json()["error"]


# ------------------------------------------------------------------------------------------ delete


async def test_a_manager_deletes_a_document(browsers, world, documents_dir) -> None:
    manager = await browsers("manager")
    document = (await upload(manager, world.structure.id, "a.pdf", PDF))["document"]
    body = await manager.query(DELETE, {"id": document["id"]})
    assert body["deleteStructureDocument"] == {"deletedId": document["id"], "errors": []}
    # soft: the row stays for the audit trail; the file is gone, the list and the download too
    row = await models.Document.get(id=pk_of(document["id"]))
    assert row.deleted_at is not None
    assert stored_files(documents_dir) == []
    assert await models.AuditEvent.filter(action="document.delete", target_id=str(row.id)).count() == 1
    listed = await manager.query(DOCUMENTS, {"id": gid("Structure", world.structure.id)})
    assert listed["structure"]["documents"] == []
    assert (await manager.http.get(document["downloadUrl"])).status_code == 404
    again = await manager.query(DELETE, {"id": document["id"]})
    assert [e["code"] for e in again["deleteStructureDocument"]["errors"]] == ["FORBIDDEN"]


async def test_the_file_stays_while_another_document_has_the_same_content(
    browsers, world, documents_dir
) -> None:
    manager = await browsers("manager")
    first = (await upload(manager, world.structure.id, "a.pdf", PDF))["document"]
    second = (await upload(manager, world.structure.id, "b.pdf", PDF))["document"]
    await manager.query(DELETE, {"id": first["id"]})
    assert stored_files(documents_dir) == [hashlib.sha256(PDF).hexdigest()]
    response = await manager.http.get(second["downloadUrl"])
    assert response.status_code == 200 and response.content == PDF
    await manager.query(DELETE, {"id": second["id"]})
    assert stored_files(documents_dir) == []


@pytest.mark.parametrize("role", ["member", "consultant", "stranger"])
async def test_deleting_needs_organisation_modification(browsers, world, documents_dir, role: str) -> None:
    document = (await upload(await browsers("manager"), world.structure.id, "a.pdf", PDF))["document"]
    body = await (await browsers(role)).query(DELETE, {"id": document["id"]})
    assert body["deleteStructureDocument"]["deletedId"] is None
    assert [e["code"] for e in body["deleteStructureDocument"]["errors"]] == ["FORBIDDEN"]
    assert (await models.Document.get(id=pk_of(document["id"]))).deleted_at is None
    assert stored_files(documents_dir) == [hashlib.sha256(PDF).hexdigest()]


async def test_deleting_an_unknown_or_malformed_id(browsers, world, documents_dir) -> None:
    manager = await browsers("manager")
    unknown = await manager.query(DELETE, {"id": gid("Document", 999_999)})
    assert [e["code"] for e in unknown["deleteStructureDocument"]["errors"]] == ["FORBIDDEN"]
    malformed = await manager.query(DELETE, {"id": gid("Structure", world.structure.id)})
    assert [(e["code"], e["field"]) for e in malformed["deleteStructureDocument"]["errors"]] == [
        ("VALIDATION", ["id"])
    ]
