"""Turning an untrusted upload into a safe, small image file.

The file is decoded for real (a content type or extension proves nothing), pixel counts
are checked before decoding so a decompression bomb never expands, and the image is
re-encoded, which drops EXIF (GPS included) and anything appended to the file.
"""

import io
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.accounts.errors import ErrorCode
from apps.core.errors import DomainError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def process_uploaded_image(upload) -> ContentFile:
    """Validate and normalise an uploaded image; return a JPEG ready to store.

    Raises DomainError (code `invalid_image`, `image_too_large` or `image_too_many_pixels`)
    and stores nothing when the upload is not acceptable.
    """
    size = getattr(upload, "size", None)
    if size is None or size > settings.PHOTO_MAX_BYTES:
        raise DomainError(
            ErrorCode.IMAGE_TOO_LARGE,
            _("The photo must be at most %(mb)d MB.") % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
            field="photo",
            http_status=413 if size else 400,
        )
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise DomainError(ErrorCode.INVALID_IMAGE, _("Upload a JPEG, PNG or WebP photo."), field="photo")
            width, height = probe.size
            if width * height > settings.PHOTO_MAX_PIXELS:
                raise DomainError(
                    ErrorCode.IMAGE_TOO_MANY_PIXELS,
                    _("The photo must be at most %(mp)d megapixels.") % {"mp": settings.PHOTO_MAX_PIXELS // 1_000_000},
                    field="photo",
                )
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except DomainError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise DomainError(
            ErrorCode.INVALID_IMAGE, _("This file is not a readable JPEG, PNG or WebP image."), field="photo"
        ) from None

    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((settings.PHOTO_MAX_EDGE_PX, settings.PHOTO_MAX_EDGE_PX))
    output = io.BytesIO()
    image.convert("RGB").save(output, format="JPEG", quality=85, optimize=True)
    return ContentFile(output.getvalue(), name="photo.jpg")
