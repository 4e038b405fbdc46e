"""Validation, re-encoding and storage of the photos residents attach to requests.

Checked by content, not by name: the file must decode as JPEG, PNG or WebP, weigh at most
MAX_BYTES and have at most MAX_PIXELS pixels (checked from the header, before decoding, so a
"decompression bomb" is refused cheaply). The whole image is then decoded, so a truncated or
damaged file is refused while the form is validated (a field error), not when it is stored.
Accepted images are re-encoded as JPEG no larger than MAX_SIDE on their longest side: that
strips metadata (phones put the GPS position of the person's home in EXIF) and keeps pages
light on slow mobile data. Stored names are random (see `proposals.models.image_upload_to`).

Storage: a service that stores photos with `store` is decorated with `discard_on_failure`
(above `transaction.atomic`), so that when it raises, during its work or at commit, the files
it already wrote are deleted: a rolled-back submission leaves no photo behind.
"""

import functools
import io
import logging
import uuid
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000
MAX_SIDE = 1600
MAX_IMAGES = 3
EXTENSION = ".jpg"  # what `reencode` writes


class ReencodedImage(ContentFile):
    """A photo that went through `reencode`: clean JPEG bytes under a random name, with its
    size. The form hands these to the service, which stores them without decoding again."""

    def __init__(self, content: bytes, *, width: int, height: int):
        super().__init__(content, name=f"{uuid.uuid4().hex}{EXTENSION}")
        self.width = width
        self.height = height


def _unreadable() -> ValidationError:
    return ValidationError(
        _("This file is not an image we can read. Upload a JPEG, PNG or WebP photo."),
        code="invalid_image",
    )


def validate_image(upload) -> None:
    """Raise a ValidationError with a message for the person when the upload is unusable,
    from what its header says (cheap: nothing is decoded)."""
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
    # Pillow's format plugins raise many kinds of exception on hostile input (OSError,
    # SyntaxError, ValueError, struct.error, DecompressionBombError...): all mean "unreadable".
    except Exception:
        raise _unreadable() from None
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


def reencode(upload) -> ReencodedImage:
    """A clean JPEG copy of an upload: upright, metadata-free, bounded in size. Raises a
    ValidationError (never anything else) when the upload cannot be fully decoded."""
    validate_image(upload)
    try:
        with Image.open(upload) as image:
            image.load()  # decode everything now: a truncated file fails here
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=85, optimize=True)
            width, height = image.size
    except Exception:  # as in validate_image: damaged data raises anything
        raise ValidationError(
            _(
                "This image is damaged or incomplete and cannot be read. "
                "Try another photo, or take it again."
            ),
            code="damaged_image",
        ) from None
    finally:
        upload.seek(0)
    return ReencodedImage(buffer.getvalue(), width=width, height=height)


def reencoded(upload) -> ReencodedImage:
    """`upload` re-encoded, unless it already was (the form re-encodes while validating)."""
    return upload if isinstance(upload, ReencodedImage) else reencode(upload)


# The files stored by the service call in progress (see discard_on_failure).
_stored: ContextVar[list | None] = ContextVar("proposals_stored_images", default=None)


def store(field_file, photo: ReencodedImage) -> None:
    """Write `photo` through the model's file field (its storage, its upload_to), and note
    the file so that `discard_on_failure` can delete it if the service fails."""
    field_file.save(photo.name, photo, save=False)
    stored = _stored.get()
    if stored is not None:
        stored.append((field_file.storage, field_file.name))


def discard_on_failure(service):
    """Decorate a service that stores photos with `store`, above `transaction.atomic`: when
    the service raises, before or at commit, the files it wrote are deleted. (A rollback of
    an outer transaction the caller opened happens after the service returned and is not
    seen here; views call these services outside any transaction: ATOMIC_REQUESTS is off.)"""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        stored: list = []
        token = _stored.set(stored)
        try:
            return service(*args, **kwargs)
        except BaseException:
            for storage, name in stored:
                try:
                    storage.delete(name)
                except Exception:
                    # Never hide the error that rolled the submission back.
                    logger.exception("Could not delete the orphaned image %s", name)
            raise
        finally:
            _stored.reset(token)

    return wrapper
