"""The one check every uploaded image passes: catalog images, quality-check and proof-of-delivery photos, and
certificates sent as images.

A real, modest image: at most MAX_IMAGE_BYTES, a format browsers show safely (JPEG, PNG, WebP — no SVG, whose
scripts would run on the network's own origin), and at most MAX_IMAGE_PIXELS. The pixel limit is what a size
limit leaves open: a 24 KB PNG can announce 20000 × 10000 pixels and decode to gigabytes. Only the header is read
(Pillow opens lazily); Pillow's own bomb guard (DecompressionBombError/-Warning, at about 89 MP) is a refusal too.
"""

import warnings

from django.core.exceptions import ValidationError
from PIL import Image

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"  # for <input type=file accept=…>
IMAGE_HELP = "A JPEG, PNG or WebP image of at most 5 MB and 40 megapixels."


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        "The image is %(width)d × %(height)d pixels; at most %(limit)d megapixels are accepted.",
        code="too_many_pixels",
        params={"width": width, "height": height, "limit": MAX_IMAGE_PIXELS // 1_000_000},
    )


def _header(upload) -> tuple[str | None, int, int]:
    """Format and dimensions from the header, then Pillow's structural check (no pixel data decoded)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(upload) as image:
            image_format, (width, height) = image.format, image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            image.verify()
    return image_format, width, height


def validate_image_upload(value) -> None:
    """Raises ValidationError unless `value` is an acceptable image. Nothing (None, an empty field) passes, and
    an image already stored (an edit that keeps it) is not read again; a raw upload is always checked."""
    if not value or getattr(value, "_committed", False):
        return
    if value.size is not None and value.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            "The image is %(size).1f MB; images may be at most %(limit)d MB.",
            code="too_large",
            params={"size": value.size / 1024 / 1024, "limit": MAX_IMAGE_BYTES // 1024 // 1024},
        )
    position = value.tell() if hasattr(value, "tell") else 0
    value.seek(0)
    try:
        image_format, _, _ = _header(value)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "The image has too many pixels; at most %(limit)d megapixels are accepted.",
            code="too_many_pixels",
            params={"limit": MAX_IMAGE_PIXELS // 1_000_000},
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ValidationError("This file is not a readable image.", code="bad_content") from error
    finally:
        value.seek(position)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted; upload a JPEG, PNG or WebP image.",
            code="bad_type",
            params={"format": image_format or "This kind of"},
        )
