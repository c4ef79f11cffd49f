"""Uploaded images: decoded to prove they are images, re-encoded without metadata.

Re-encoding from pixels drops EXIF (GPS, camera serials) and anything appended to the file;
``Image.MAX_IMAGE_PIXELS`` stops decompression bombs. Used for avatars now, post and chat
images later.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from lifecircle.core.errors import validation_error

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class CleanImage:
    full: ContentFile
    thumb: ContentFile
    width: int
    height: int


def _encode(img: Image.Image) -> bytes:
    out = io.BytesIO()
    if img.mode == "RGBA":
        img.save(out, format="PNG", optimize=True)
    else:
        img.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def _extension(img: Image.Image) -> str:
    return "png" if img.mode == "RGBA" else "jpg"


def image_clean(*, data: bytes, field: str, max_bytes: int, max_side: int, thumb_side: int) -> CleanImage:
    """Decode ``data`` or raise a 400 naming ``field``; return a re-encoded copy at most
    ``max_side`` on its longer side and a square-cropped thumbnail."""
    if not data:
        raise validation_error(field, "image_empty", _("The file is empty."))
    if len(data) > max_bytes:
        raise validation_error(
            field,
            "image_too_large",
            _("The image is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)},
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise validation_error(field, "image_invalid", _("Upload a JPEG, PNG or WebP image."))
            probe.verify()
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise validation_error(field, "image_invalid", _("Upload a JPEG, PNG or WebP image.")) from None
    img = ImageOps.exif_transpose(img)  # keep the orientation the camera meant, then drop EXIF
    if img.mode not in ("RGB", "RGBA", "L"):
        has_alpha = img.mode in ("LA", "PA") or "transparency" in img.info
        img = img.convert("RGBA" if has_alpha else "RGB")
    # Rebuild from raw pixels so no metadata (EXIF, ICC, XMP, comments) can ride along.
    pixels = Image.frombytes(img.mode, img.size, img.tobytes())
    full = pixels.copy()
    full.thumbnail((max_side, max_side))
    thumb = ImageOps.fit(pixels, (thumb_side, thumb_side))
    ext = _extension(full)
    return CleanImage(
        full=ContentFile(_encode(full), name=f"image.{ext}"),
        thumb=ContentFile(_encode(thumb), name=f"thumb.{ext}"),
        width=full.width,
        height=full.height,
    )
