"""Validation and re-encoding of the photos residents attach to requests.

Checked by content, not by name: the file must decode as JPEG, PNG or WebP, weigh at most
MAX_BYTES and have at most MAX_PIXELS pixels (checked from the header, before decoding, so a
"decompression bomb" is refused cheaply). Accepted images are re-encoded as JPEG no larger
than MAX_SIDE on their longest side: that strips metadata (phones put the GPS position of
the person's home in EXIF) and keeps pages light on slow mobile data.
"""

import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000
MAX_SIDE = 1600
MAX_IMAGES = 3


def validate_image(upload) -> None:
    """Raise a ValidationError with a message for the person when the upload is unusable."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The image weighs %(size)s; the maximum is %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_BYTES)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG or WebP photo."),
            code="invalid_image",
        ) from None
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("Images must be JPEG, PNG or WebP; this one is %(format)s.")
            % {"format": image_format or "?"},
            code="invalid_format",
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("The image has %(pixels)s megapixels; the maximum is %(max)s megapixels.")
            % {"pixels": round(width * height / 1_000_000, 1), "max": MAX_PIXELS // 1_000_000},
            code="too_many_pixels",
        )


def reencode(upload) -> ContentFile:
    """A clean JPEG copy of a validated upload: upright, metadata-free, bounded in size."""
    validate_image(upload)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85, optimize=True)
    name = Path(getattr(upload, "name", "") or "imagen").stem[:60] or "imagen"
    return ContentFile(buffer.getvalue(), name=f"{name}.jpg")
