"""Evidence files: images and PDFs only, recognised by content, size-capped, image metadata
(location) removed before storage (issue 7, Evidence)."""

from __future__ import annotations

import hashlib
import struct

from django.conf import settings

JPEG = ("image/jpeg", ".jpg")
PNG = ("image/png", ".png")
PDF = ("application/pdf", ".pdf")


class EvidenceRefused(Exception):
    """The file is not acceptable evidence; the message says why."""


def sniff(data: bytes) -> tuple[str, str]:
    """(content type, extension) from the first bytes; the file's name is never trusted."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"%PDF-"):
        return PDF
    raise EvidenceRefused("Only photos (JPEG or PNG) and PDF documents can be attached.")


def strip_jpeg_metadata(data: bytes) -> bytes:
    """Drop APPn segments other than JFIF (EXIF holds GPS location) and comments."""
    out = bytearray(data[:2])
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            raise EvidenceRefused("The JPEG file is damaged.")
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the image data follows, copied as it is
            out += data[i:]
            return bytes(out)
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            out += data[i : i + 2]
            i += 2
            continue
        if i + 4 > len(data):
            raise EvidenceRefused("The JPEG file is damaged.")
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        segment = data[i : i + 2 + length]
        is_jfif = marker == 0xE0 and segment[4:9] == b"JFIF\x00"
        if not ((0xE1 <= marker <= 0xEF) or marker == 0xFE or (marker == 0xE0 and not is_jfif)):
            out += segment
        i += 2 + length
    return bytes(out)


PNG_METADATA_CHUNKS = {b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"}


def strip_png_metadata(data: bytes) -> bytes:
    out = bytearray(data[:8])
    i = 8
    while i + 8 <= len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        kind = data[i + 4 : i + 8]
        chunk = data[i : i + 12 + length]
        if len(chunk) < 12 + length:
            raise EvidenceRefused("The PNG file is damaged.")
        if kind not in PNG_METADATA_CHUNKS:
            out += chunk
        i += 12 + length
        if kind == b"IEND":
            return bytes(out)
    return bytes(out + data[i:])  # bytes too short to be a chunk are kept as they were


WEBP_METADATA_CHUNKS = {b"EXIF", b"XMP "}


def strip_webp_metadata(data: bytes) -> bytes:
    """Drop the EXIF and XMP chunks of a WebP file and clear their flags in VP8X."""
    chunks = bytearray()
    i = 12
    while i + 8 <= len(data):
        kind = data[i : i + 4]
        (size,) = struct.unpack("<I", data[i + 4 : i + 8])
        end = i + 8 + size + (size & 1)
        if end > len(data):
            raise EvidenceRefused("The WebP file is damaged.")
        chunk = bytearray(data[i:end])
        if kind == b"VP8X" and size >= 1:
            chunk[8] &= ~0x0C & 0xFF  # the EXIF (0x08) and XMP (0x04) flags
        if kind not in WEBP_METADATA_CHUNKS:
            chunks += chunk
        i = end
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)


def strip_image_metadata(data: bytes, content_type: str) -> bytes:
    """The image without the metadata that can hold a location (EXIF, XMP, PNG text)."""
    strip = {
        "image/jpeg": strip_jpeg_metadata,
        "image/png": strip_png_metadata,
        "image/webp": strip_webp_metadata,
    }.get(content_type)
    return strip(data) if strip else data


def clean(data: bytes) -> tuple[bytes, str, str, str]:
    """Check and clean an upload: (bytes to store, content type, extension, sha256)."""
    if len(data) > settings.BREACH_EVIDENCE_MAX_BYTES:
        raise EvidenceRefused(
            f"Each file must be under {settings.BREACH_EVIDENCE_MAX_BYTES // 1_000_000} MB."
        )
    if not data:
        raise EvidenceRefused("The file is empty.")
    content_type, ext = sniff(data)
    data = strip_image_metadata(data, content_type)
    return data, content_type, ext, hashlib.sha256(data).hexdigest()
