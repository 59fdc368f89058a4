"""Documents (pièces jointes): size, name, extension, and content that matches the extension.

Rules of reference-data.md: at most 10 MB (10 × 1024 × 1024 bytes), a file
name of at most 50 characters with its extension, and an extension from the
list below. The content is checked too, so that a renamed file is refused:

- formats with a signature must start with it (``%PDF-`` for a PDF, the PNG,
  JPEG, GIF, BMP, TIFF, gzip, bzip2, RTF signatures, ``PK`` for the zip-based
  formats docx/xlsx/pptx/odt/ods/odp/zip, the OLE2 header for doc/xls/ppt/pps,
  a DER sequence or a PEM block for p7s);
- text formats (txt, csv, xml, htm, html, xhtml, svg) are accepted as they
  are, except that they must not contain NUL bytes (a binary file in
  disguise); an svg must contain an ``<svg`` element.

The stored content type comes from the extension, never from the client.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from backend.services.errors import ValidationFailed
from backend.validation import Field, FieldErrors

MAX_SIZE = 10 * 1024 * 1024
MAX_SIZE_LABEL = "10 Mo"
MAX_NAME_LENGTH = 50

CONTENT_TYPES: dict[str, str] = {
    "bmp": "image/bmp",
    "gif": "image/gif",
    "fax": "image/tiff",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "p7s": "application/pkcs7-signature",
    "rtf": "application/rtf",
    "txt": "text/plain",
    "csv": "text/csv",
    "xml": "application/xml",
    "htm": "text/html",
    "html": "text/html",
    "xhtml": "application/xhtml+xml",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlc": "application/vnd.ms-excel",
    "xlm": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pps": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "zip": "application/zip",
    "gz": "application/gzip",
    "gzip": "application/gzip",
    "tgz": "application/gzip",
    "bz2": "application/x-bzip2",
}
#: The extensions of reference-data.md.
ALLOWED_EXTENSIONS = frozenset(CONTENT_TYPES)
#: A bank detail's RIB.
RIB_EXTENSIONS = frozenset({"pdf", "jpg", "jpeg", "png"})

TEXT_EXTENSIONS = frozenset({"txt", "csv", "xml", "htm", "html", "xhtml", "svg"})

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_ENTRY = b"PK\x03\x04"


def _starts(*signatures: bytes) -> Callable[[bytes], bool]:
    return lambda data: data.startswith(signatures)


def _bmp(data: bytes) -> bool:
    # "BM", then the DIB header's own size at offset 14 is one of the known ones.
    return (
        data.startswith(b"BM")
        and len(data) >= 18
        and int.from_bytes(data[14:18], "little") in {12, 16, 40, 52, 56, 64, 108, 124}
    )


def _bz2(data: bytes) -> bool:
    return data.startswith(b"BZh") and len(data) > 3 and data[3:4] in b"123456789"


def _p7s(data: bytes) -> bool:
    # DER: a SEQUENCE with a long-form or indefinite length; or a PEM block.
    der = len(data) > 2 and data[0] == 0x30 and 0x80 <= data[1] <= 0x84
    return der or data.lstrip().startswith(b"-----BEGIN ")


def _biff_or_ole(data: bytes) -> bool:
    # Excel 4 macro and chart sheets are bare BIFF streams (BOF record 0x0009, 0x0209 or 0x0409).
    return data.startswith(OLE2) or data[:2] in (b"\x09\x00", b"\x09\x02", b"\x09\x04")


def _text(data: bytes) -> bool:
    return b"\x00" not in data


def _svg(data: bytes) -> bool:
    return _text(data) and b"<svg" in data.lower()


SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    "pdf": _starts(b"%PDF-"),
    "png": _starts(b"\x89PNG\r\n\x1a\n"),
    "jpg": _starts(b"\xff\xd8\xff"),
    "jpeg": _starts(b"\xff\xd8\xff"),
    "gif": _starts(b"GIF87a", b"GIF89a"),
    "bmp": _bmp,
    "tif": _starts(b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    "tiff": _starts(b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    "fax": _starts(b"II*\x00", b"MM\x00*"),
    "zip": _starts(ZIP_ENTRY, b"PK\x05\x06", b"PK\x07\x08"),
    "docx": _starts(ZIP_ENTRY),
    "xlsx": _starts(ZIP_ENTRY),
    "pptx": _starts(ZIP_ENTRY),
    "odt": _starts(ZIP_ENTRY),
    "ods": _starts(ZIP_ENTRY),
    "odp": _starts(ZIP_ENTRY),
    "doc": _starts(OLE2),
    "xls": _starts(OLE2),
    "ppt": _starts(OLE2),
    "pps": _starts(OLE2),
    "xlc": _biff_or_ole,
    "xlm": _biff_or_ole,
    "gz": _starts(b"\x1f\x8b"),
    "gzip": _starts(b"\x1f\x8b"),
    "tgz": _starts(b"\x1f\x8b"),
    "bz2": _bz2,
    "rtf": _starts(b"{\\rtf"),
    "p7s": _p7s,
    "txt": _text,
    "csv": _text,
    "xml": _text,
    "htm": _text,
    "html": _text,
    "xhtml": _text,
    "svg": _svg,
}
assert set(SIGNATURES) == ALLOWED_EXTENSIONS


def content_matches(extension: str, data: bytes) -> bool:
    """True when ``data`` looks like a file of that extension (see the module's rules)."""
    check = SIGNATURES.get(extension.lower())
    return bool(check and data and check(data))


def clean_filename(raw: str | None) -> str:
    """The name without any directory part (some browsers send ``C:\\fakepath\\…``), NFC, no controls."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in {"Cc", "Cf", "Zl", "Zp"})
    return name.strip()


def extension_of(filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and stem.strip() else ""


def _listing(extensions: Iterable[str]) -> str:
    return ", ".join(sorted(extensions))


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every rule, ready to be stored."""

    filename: str
    extension: str
    content_type: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def check_file(
    filename: str | None,
    data: bytes,
    field: Field,
    *,
    allowed: frozenset[str] = ALLOWED_EXTENSIONS,
    what: str = "Le fichier",
    mismatch: str | None = None,
) -> CheckedFile:
    """Every rule at once (``Invalid`` when several fail). ``data`` may be cut at ``MAX_SIZE + 1``."""
    errors = FieldErrors()
    name = clean_filename(filename)
    extension = extension_of(name)
    if not name:
        errors.add(ValidationFailed(f"{what} n'a pas de nom.", field=field))
    elif len(name) > MAX_NAME_LENGTH:
        errors.add(
            ValidationFailed(
                f"Le nom du fichier « {name[:20]}… » compte {len(name)} caractères : {MAX_NAME_LENGTH} au plus, "
                "extension comprise. Renommez-le.",
                field=field,
            )
        )
    if len(data) > MAX_SIZE:
        errors.add(ValidationFailed(f"{what} dépasse la taille maximale de {MAX_SIZE_LABEL}.", field=field))
    elif not data:
        errors.add(ValidationFailed(f"{what} est vide.", field=field))
    if name and extension not in allowed:
        shown = f"« .{extension} »" if extension else "sans extension"
        errors.add(
            ValidationFailed(
                f"Le format {shown} n'est pas accepté. Formats acceptés : {_listing(allowed)}.", field=field
            )
        )
    elif name and data and not content_matches(extension, data):
        if extension in TEXT_EXTENSIONS:
            message = (
                f"{what} contient des données binaires : ce n'est pas un fichier .{extension}."
                if b"\x00" in data
                else f"{what} n'est pas une image SVG."
            )
        else:
            message = mismatch or (
                f"Le contenu du fichier ne correspond pas à son extension .{extension} : "
                "le fichier est peut-être endommagé ou renommé."
            )
        errors.add(ValidationFailed(message, field=field))
    errors.raise_if_any()
    return CheckedFile(
        filename=name,
        extension=extension,
        content_type=CONTENT_TYPES[extension],
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def check_rib(filename: str | None, data: bytes, field: Field) -> CheckedFile:
    """A RIB: a PDF, JPEG or PNG document, by name and by content."""
    return check_file(
        filename,
        data,
        field,
        allowed=RIB_EXTENSIONS,
        what="Le RIB",
        mismatch="Le contenu du RIB n'est pas un PDF, un JPEG ou un PNG : le fichier est peut-être endommagé "
        "ou renommé.",
    )
