"""Pictures staff upload: which files are accepted, turned how, and stored under which name."""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.text import slugify
from PIL import Image, ImageOps, UnidentifiedImageError

# Formats every browser and shopping app shows, with the extension a stored file gets.
PICTURE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
PICTURE_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
PICTURE_MAX_BYTES = 20 * 1024 * 1024
# Making the sizes of a bigger picture takes seconds and hundreds of megabytes.
PICTURE_MAX_PIXELS = 50_000_000
EXIF_ORIENTATION = 0x0112


def picture_upload_to(instance: Any, filename: str) -> str:
    """``products/<product slug>/<file name>``, in ASCII so every storage and CDN takes it;
    the storage adds a suffix when the name is taken."""
    path = PurePath(filename)
    stem = slugify(path.stem) or instance.product.slug
    return f"products/{instance.product.slug}/{stem}{path.suffix.lower()}"


def _encoded(picture: Image.Image, picture_format: str, icc_profile: Any) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, Any] = {"icc_profile": icc_profile} if icc_profile else {}
    if picture_format in ("JPEG", "WEBP"):
        options["quality"] = 92
    picture.save(buffer, format=picture_format, **options)
    return buffer.getvalue()


def picture_upload_check(upload: UploadedFile) -> UploadedFile:
    """The upload as it is to be stored, or :class:`ValidationError`.

    It must be a JPEG, PNG or WebP picture of at most 20 MB and 50 megapixels. Its name
    gets the extension of what it really is, so it is served with the right type. A
    photograph a camera stored on its side (an EXIF orientation) is turned upright, so
    the original, its sizes and the width and height the API gives all agree.
    """
    if upload.size is not None and upload.size > PICTURE_MAX_BYTES:
        raise ValidationError("Upload a picture of at most 20 MB.", code="picture_too_large")
    upload.seek(0)
    try:
        with Image.open(upload) as picture:
            picture_format = picture.format or ""
            if picture_format not in PICTURE_FORMATS:
                raise ValidationError("Upload a JPEG, PNG or WebP picture.", code="picture_format")
            if picture.width * picture.height > PICTURE_MAX_PIXELS:
                raise ValidationError(
                    "Upload a picture of at most 50 megapixels.", code="picture_too_large"
                )
            orientation = picture.getexif().get(EXIF_ORIENTATION, 1)
            upright = ImageOps.exif_transpose(picture) if orientation != 1 else None
            content = (
                _encoded(upright, picture_format, picture.info.get("icc_profile"))
                if upright is not None
                else None
            )
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError("Upload a valid picture.", code="picture_invalid") from error
    name = str(PurePath(upload.name or "picture").with_suffix(PICTURE_FORMATS[picture_format]))
    if content is None:
        upload.seek(0)
        upload.name = name
        return upload
    return SimpleUploadedFile(name, content, content_type=Image.MIME[picture_format])
