"""Document rules (backend.validation.documents) and the disk store, without a database."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from backend.services.errors import DomainError, Invalid, ValidationFailed
from backend.storage import DiskStore
from backend.validation import documents as rules

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
ZIP = b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 30
OLE = rules.OLE2 + b"\x00" * 40
BMP = b"BM" + b"\x00" * 12 + (40).to_bytes(4, "little") + b"\x00" * 40

SAMPLES: dict[str, bytes] = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "gif": b"GIF89a\x01\x00\x01\x00",
    "bmp": BMP,
    "tif": b"II*\x00\x08\x00\x00\x00",
    "tiff": b"MM\x00*\x00\x00\x00\x08",
    "fax": b"II*\x00\x08\x00\x00\x00",
    "zip": ZIP,
    "docx": ZIP,
    "xlsx": ZIP,
    "pptx": ZIP,
    "odt": ZIP,
    "ods": ZIP,
    "odp": ZIP,
    "doc": OLE,
    "xls": OLE,
    "ppt": OLE,
    "pps": OLE,
    "xlc": b"\x09\x04\x06\x00\x00\x00",
    "xlm": OLE,
    "gz": b"\x1f\x8b\x08\x00",
    "gzip": b"\x1f\x8b\x08\x00",
    "tgz": b"\x1f\x8b\x08\x00",
    "bz2": b"BZh91AY&SY",
    "rtf": b"{\\rtf1\\ansi Bonjour}",
    "p7s": b"\x30\x82\x05\x12\x06\x09",
    "txt": b"Bonjour, voici le compte rendu.\n",
    "csv": "nom;montant\nÉcole;12,50\n".encode("latin-1"),
    "xml": b"<?xml version='1.0'?><facture/>",
    "htm": b"<html><body>Bonjour</body></html>",
    "html": b"<!doctype html><html></html>",
    "xhtml": b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'/>",
    "svg": b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>",
}


def test_every_extension_of_the_reference_list_is_accepted_with_matching_content() -> None:
    listed = set(
        "bmp gif fax odt ppt tiff xls bz2 gz jpeg p7s rtf txt xml csv gzip jpg pdf svg xhtml xlsx doc htm odp "
        "png tgz xlc zip docx html ods pps tif xlm pptx".split()
    )
    assert rules.ALLOWED_EXTENSIONS == listed
    assert set(SAMPLES) == listed
    for extension, data in SAMPLES.items():
        checked = rules.check_file(f"piece.{extension}", data, ["file"])
        assert checked.extension == extension
        assert checked.content_type == rules.CONTENT_TYPES[extension]
        assert checked.sha256 == hashlib.sha256(data).hexdigest()
        assert checked.size == len(data)


@pytest.mark.parametrize("extension", sorted(set(SAMPLES) - rules.TEXT_EXTENSIONS))
def test_a_text_file_renamed_to_a_format_with_a_signature_is_refused(extension: str) -> None:
    with pytest.raises(ValidationFailed, match=f"ne correspond pas à son extension .{extension}"):
        rules.check_file(f"faux.{extension}", b"Ceci n'est pas ce que l'extension annonce.\n", ["file"])


def test_each_signature_is_its_own() -> None:
    assert not rules.content_matches("pdf", PNG)
    assert not rules.content_matches("png", JPEG)
    assert not rules.content_matches("jpg", PDF)
    assert not rules.content_matches("docx", OLE)
    assert not rules.content_matches("doc", ZIP)
    assert not rules.content_matches("bmp", b"BM but not a bitmap at all, no DIB header here")
    assert not rules.content_matches("pdf", b" %PDF-1.4")  # strict: at offset 0


@pytest.mark.parametrize("extension", sorted(rules.TEXT_EXTENSIONS))
def test_text_formats_are_lenient_but_refuse_nul_bytes(extension: str) -> None:
    with pytest.raises(ValidationFailed, match="données binaires"):
        rules.check_file(f"binaire.{extension}", b"<svg>" + PDF + b"\x00\x01\x02", ["file"])


def test_an_svg_must_contain_an_svg_element() -> None:
    with pytest.raises(ValidationFailed, match="pas une image SVG"):
        rules.check_file("dessin.svg", b"<html>pas un dessin</html>", ["file"])


def test_the_name_is_at_most_50_characters_with_its_extension() -> None:
    assert rules.check_file("a" * 46 + ".pdf", PDF, ["file"]).filename == "a" * 46 + ".pdf"
    with pytest.raises(ValidationFailed, match="50 au plus") as caught:
        rules.check_file("a" * 47 + ".pdf", PDF, ["file"])
    assert caught.value.field == ["file"]


def test_the_size_is_at_most_10_megabytes() -> None:
    assert rules.check_file("gros.txt", b"a" * rules.MAX_SIZE, ["file"]).size == rules.MAX_SIZE
    with pytest.raises(ValidationFailed, match="10 Mo"):
        rules.check_file("trop-gros.txt", b"a" * (rules.MAX_SIZE + 1), ["file"])


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="vide"):
        rules.check_file("vide.txt", b"", ["file"])


@pytest.mark.parametrize(
    "name", ["programme.exe", "script.js", "page.php", "sans-extension", ".pdf", "x.pdf.exe"]
)
def test_an_extension_outside_the_list_is_refused(name: str) -> None:
    with pytest.raises(ValidationFailed, match="n'est pas accepté"):
        rules.check_file(name, PDF, ["file"])


def test_the_name_loses_directories_and_control_characters() -> None:
    assert rules.clean_filename("C:\\fakepath\\Relevé.pdf") == "Relevé.pdf"
    assert rules.clean_filename("../../etc/passwd.txt") == "passwd.txt"
    assert rules.clean_filename("rib\x00\r\n\u202e.pdf") == "rib.pdf"
    assert rules.clean_filename("Rele\u0301ve\u0301.pdf") == "Relévé.pdf"  # NFC
    assert rules.check_file("MAJUSCULES.PDF", PDF, ["file"]).extension == "pdf"


def test_several_faults_are_reported_at_once() -> None:
    with pytest.raises(Invalid) as caught:
        rules.check_file("n" * 60 + ".exe", b"x" * (rules.MAX_SIZE + 1), ["file"])
    assert [e.code for e in caught.value.errors] == ["VALIDATION"] * 3
    assert all(e.field == ["file"] for e in caught.value.errors)


def test_a_rib_is_a_pdf_a_jpeg_or_a_png_by_content() -> None:
    for name, data in (("rib.pdf", PDF), ("rib.jpg", JPEG), ("rib.jpeg", JPEG), ("rib.png", PNG)):
        assert rules.check_rib(name, data, ["input", "ribDocument"]).filename == name
    with pytest.raises(ValidationFailed, match="Formats acceptés : jpeg, jpg, pdf, png"):
        rules.check_rib("rib.docx", ZIP, ["input", "ribDocument"])
    with pytest.raises(DomainError) as caught:
        rules.check_rib("rib.pdf", b"IBAN FR76 3000 6000 0112 3456 7890 189", ["input", "ribDocument"])
    assert "Le contenu du RIB n'est pas un PDF, un JPEG ou un PNG" in caught.value.message
    assert caught.value.field == ["input", "ribDocument"]


async def test_the_disk_store_keeps_one_file_per_content_named_by_its_digest(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "documents")
    digest = hashlib.sha256(PDF).hexdigest()
    assert await store.put(digest, PDF) is True
    assert await store.put(digest, PDF) is False  # already there
    path = tmp_path / "documents" / digest[:2] / digest
    assert path.read_bytes() == PDF
    assert path.stat().st_mode & 0o077 == 0  # readable by the server's user only
    assert [p.name for p in (tmp_path / "documents").rglob("*") if p.is_file()] == [digest]
    assert b"".join([chunk async for chunk in store.stream(digest, chunk_size=7)]) == PDF
    await store.delete(digest)
    await store.delete(digest)  # nothing to remove: no error
    assert not await store.exists(digest)


def test_the_disk_store_accepts_only_digests_as_keys(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    for key in ("../secret", "rib.pdf", "A" * 64, "0" * 63):
        with pytest.raises(ValueError):
            store.path(key)
