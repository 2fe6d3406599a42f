"""Checks on uploaded policy documents: PDF or DOCX by their content, never by the name."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class DocumentError(ValueError):
    """The upload is not an acceptable policy document; the message is for the user."""


@dataclass(frozen=True)
class CheckedDocument:
    content_type: str
    extension: str
    size: int
    sha256: str


def max_bytes() -> int:
    return getattr(settings, "POLICIES_MAX_DOCUMENT_BYTES", DEFAULT_MAX_BYTES)


def check_document(upload) -> CheckedDocument:
    """Accept a PDF (starts with %PDF-) or a DOCX (a zip holding word/document.xml)."""
    size = upload.size
    if size > max_bytes():
        raise DocumentError(
            f"The document is too large ({size // 1024} KB); the limit is "
            f"{max_bytes() // (1024 * 1024)} MB."
        )
    if size == 0:
        raise DocumentError("The document is empty.")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        content_type, extension = PDF, "pdf"
    elif head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            names = set()
        upload.seek(0)
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise DocumentError("Upload a PDF or a Word (.docx) document.")
        content_type, extension = DOCX, "docx"
    else:
        raise DocumentError("Upload a PDF or a Word (.docx) document.")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedDocument(content_type, extension, size, digest.hexdigest())
