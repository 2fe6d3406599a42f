"""Checks every uploaded file passes, whichever app takes it: breach evidence (issue 7),
comment screenshots (4.5h) and policy documents.

- The type is recognised by the file's first bytes (`sniff`), never by its name or the
  browser's content type; each caller says which types it accepts.
- A size limit (`check_size`) and no empty file.
- Images lose the metadata that can hold a location (EXIF, XMP, PNG text chunks) before they
  are stored (`strip_image_metadata`).

A refusal is an `UploadRefused` (portal.errors.ServiceError): a sentence for the person.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
from dataclasses import dataclass
from typing import IO

from .errors import ServiceError


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str  # with its dot: ".jpg"


JPEG = FileType("image/jpeg", ".jpg")
PNG = FileType("image/png", ".png")
WEBP = FileType("image/webp", ".webp")
PDF = FileType("application/pdf", ".pdf")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
IMAGES = (JPEG, PNG, WEBP)


class UploadRefused(ServiceError):
    """The file is not acceptable; the message says why."""


def sniff(head: bytes, upload: IO[bytes] | None = None) -> FileType | None:
    """The type from the first bytes (at least 12), or None. A DOCX is a zip holding
    word/document.xml: recognised only when the whole file (`upload`) is given."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if upload is not None and head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            names = set()
        upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


def check_size(size: int, limit: int, too_large: str, empty: str, field: str | None = None):
    """Refuse an empty file or one over `limit` bytes, with the caller's sentences."""
    if size > limit:
        raise UploadRefused(too_large, field)
    if size == 0:
        raise UploadRefused(empty, field)


def sha256_of(chunks) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def strip_jpeg_metadata(data: bytes) -> bytes:
    """Drop APPn segments other than JFIF (EXIF holds GPS location) and comments."""
    out = bytearray(data[:2])
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            raise UploadRefused("The JPEG file is damaged.")
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the image data follows, copied as it is
            out += data[i:]
            return bytes(out)
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            out += data[i : i + 2]
            i += 2
            continue
        if i + 4 > len(data):
            raise UploadRefused("The JPEG file is damaged.")
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
            raise UploadRefused("The PNG file is damaged.")
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
            raise UploadRefused("The WebP file is damaged.")
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
