"""Checks on uploaded policy documents: PDF or DOCX by their content, never by the name
(the checks are portal.uploads')."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from portal import uploads
from portal.uploads import UploadRefused

DocumentError = UploadRefused  # the name policies' callers know
PDF = uploads.PDF.content_type
DOCX = uploads.DOCX.content_type
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


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
    uploads.check_size(
        size,
        max_bytes(),
        f"The document is too large ({size // 1024} KB); the limit is "
        f"{max_bytes() // (1024 * 1024)} MB.",
        "The document is empty.",
    )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = uploads.sniff(head, upload)
    if kind not in (uploads.PDF, uploads.DOCX):
        raise DocumentError("Upload a PDF or a Word (.docx) document.")
    sha256 = uploads.sha256_of(upload.chunks())
    upload.seek(0)
    return CheckedDocument(kind.content_type, kind.extension.lstrip("."), size, sha256)
