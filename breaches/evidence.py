"""Evidence files: images and PDFs only, recognised by content, size-capped, image metadata
(location) removed before storage (issue 7, Evidence). The checks are portal.uploads'."""

from __future__ import annotations

import hashlib

from django.conf import settings

from portal.images import ImageRefused, reencode
from portal.uploads import (
    JPEG,
    PDF,
    PNG,
    UploadRefused,
    check_size,
    sniff,
    strip_image_metadata,
    strip_jpeg_metadata,
    strip_png_metadata,
    strip_webp_metadata,
)

EvidenceRefused = UploadRefused  # the name breaches' callers know

__all__ = [
    "EvidenceRefused",
    "clean",
    "strip_image_metadata",
    "strip_jpeg_metadata",
    "strip_png_metadata",
    "strip_webp_metadata",
]

ACCEPTED = (JPEG, PNG, PDF)


def clean(data: bytes) -> tuple[bytes, str, str, str]:
    """Check and clean an upload: (bytes to store, content type, extension, sha256)."""
    limit = settings.BREACH_EVIDENCE_MAX_BYTES
    check_size(len(data), limit, f"Each file must be under {limit // 1_000_000} MB.",
               "The file is empty.")  # fmt: skip
    kind = sniff(data[:16])
    if kind not in ACCEPTED:
        raise EvidenceRefused("Only photos (JPEG or PNG) and PDF documents can be attached.")
    if kind != PDF:
        # Decoded with a pixel limit and written anew by Pillow (issue 14): no metadata left.
        try:
            data = reencode(data, kind.content_type)
        except ImageRefused as exc:
            raise EvidenceRefused(str(exc)) from None
    return data, kind.content_type, kind.extension, hashlib.sha256(data).hexdigest()
