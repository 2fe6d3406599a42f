"""Uploaded images are decoded and re-encoded (issue 14): a file that only starts like a PNG
or JPEG, or one of 20,000 × 20,000 pixels, is refused; what is stored is an image Pillow
wrote itself, so no metadata (EXIF with a location, XMP, PNG text) survives, whatever the
stripping by hand would have missed.

Pillow (the maintained imaging library) rather than more byte-level parsing: it reads the
size from the header before decoding, so the pixel limit is checked before any memory is
spent, and a file that does not decode is an error here, not later in someone's browser.
"""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's own bomb guard stays on as a second net; ours is checked first with a clear message.
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


class ImageRefused(ValueError):
    """The upload is not an image we keep; the message says why, for the person."""


def max_pixels() -> int:
    return int(getattr(settings, "UPLOAD_IMAGE_MAX_PIXELS", 40_000_000))


def reencode(data: bytes, content_type: str) -> bytes:
    """Decode `data` (of the sniffed `content_type`) with a pixel limit and encode it again in
    the same format, without metadata. The orientation EXIF asked for is applied first."""
    fmt = FORMATS.get(content_type)
    if fmt is None:
        raise ImageRefused("Only JPEG, PNG and WebP images can be attached.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                width, height = image.size
                if width * height > max_pixels():
                    raise ImageRefused(
                        f"The image is too large: {width:,} × {height:,} pixels. Send one of at "
                        f"most {max_pixels() // 1_000_000} million pixels (a screenshot is fine)."
                    )
                image.load()
                image = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if fmt == "JPEG":
                    if image.mode not in ("RGB", "L"):
                        image = image.convert("RGB")
                    image.save(out, "JPEG", quality=90)
                elif fmt == "PNG":
                    image.save(out, "PNG")
                else:
                    image.save(out, "WEBP", quality=90)
    except ImageRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise ImageRefused("The image could not be read: it is damaged or not an image.") from None
    return out.getvalue()
