"""Validation of uploaded images: what the storefront shows to every visitor must be a real, modest image.

Django's ImageField already refuses files Pillow cannot open; this adds what it leaves open: a size limit, a
pixel limit (a small file can decode to gigabytes), and only the formats browsers show safely (no SVG, whose
scripts would run on the network's own origin)."""

from django.core.exceptions import ValidationError
from PIL import Image

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


def validate_image_upload(value) -> None:
    """Model-field validator; an image already stored (an edit that keeps it) is not read again. A raw upload
    (a serializer's or form's field hands one over) has no `_committed` and is always checked."""
    if getattr(value, "_committed", False):
        return
    if value.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            "The image is %(size).1f MB; images may be at most %(limit)d MB.",
            code="image_too_large",
            params={"size": value.size / 1024 / 1024, "limit": MAX_IMAGE_BYTES // 1024 // 1024},
        )
    value.seek(0)
    try:
        with Image.open(value) as image:
            image_format, (width, height) = image.format, image.size
    except (OSError, Image.DecompressionBombError) as error:
        raise ValidationError("The file is not an image we can read.", code="not_an_image") from error
    finally:
        value.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted; upload a JPEG, PNG or WebP image.",
            code="image_format",
            params={"format": image_format or "This kind of"},
        )
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            "The image is %(width)d × %(height)d pixels; at most %(limit)d megapixels are accepted.",
            code="image_too_many_pixels",
            params={"width": width, "height": height, "limit": MAX_IMAGE_PIXELS // 1_000_000},
        )
