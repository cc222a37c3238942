"""Images staff put in Markdown: checked, re-encoded without metadata, stored under a random name.

Only JPEG, PNG and WebP are taken (no SVG, which can carry script; no GIF). A file is judged by what it
is, not by its name, and decoded only after its size in pixels is known to be reasonable, so an image
that would expand to gigabytes in memory (a pixel bomb) is refused before it can do harm.
"""

import uuid
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 25_000_000  # 5000 × 5000
UPLOAD_FOLDER = "uploads"


class ImageRejected(ValueError):
    """The upload is not an image we will store; the message says why, for the person uploading."""


def _reencode(image, image_format):
    """The pixels only, encoded afresh: no metadata of the upload can reach the stored file.

    Pillow carries some metadata from the file it read into what it writes (a JPEG comment, which can
    hold a ``<script>``; a PNG's ICC profile), so the pixels are copied into a new image that has none,
    and nothing but encoder settings is passed to ``save``.
    """
    image = ImageOps.exif_transpose(image)  # keep the way it was meant to be seen, then drop the metadata
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha and image_format != "JPEG" else "RGB")
    pixels_only = Image.new(image.mode, image.size)
    pixels_only.paste(image)
    del image  # the decoded copies can be large; keep only the clean one
    out = BytesIO()
    options = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}, "WEBP": {"quality": 85}}
    pixels_only.save(out, format=image_format, **options[image_format])
    return out.getvalue()


def image_store(*, upload):
    """Check and re-encode an uploaded image, store it, and return its URL."""
    limit = settings.MARKDOWNX_UPLOAD_MAX_SIZE
    if upload.size > limit:
        raise ImageRejected(
            f"The image is larger than {limit // (1024 * 1024)} MB. Please use a smaller one."
        )
    data = upload.read()
    try:
        with Image.open(BytesIO(data)) as probe:
            image_format, (width, height) = probe.format, probe.size
    except Image.DecompressionBombError as error:
        raise ImageRejected(
            "The image has far too many pixels; please make it smaller than 5000 × 5000."
        ) from error
    except (UnidentifiedImageError, OSError) as error:
        raise ImageRejected("This file is not a JPEG, PNG or WebP image.") from error
    if image_format not in FORMATS:
        raise ImageRejected(f"{image_format or 'This'} images cannot be used. Please use JPEG, PNG or WebP.")
    if width * height > MAX_PIXELS:
        raise ImageRejected(
            f"The image is {width} × {height} pixels; please make it smaller than 5000 × 5000."
        )
    try:
        with Image.open(BytesIO(data)) as image:
            image.load()
            encoded = _reencode(image, image_format)
    except (OSError, Image.DecompressionBombError, ValueError) as error:
        raise ImageRejected("This image could not be read. It may be damaged.") from error
    name = default_storage.save(
        f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}.{FORMATS[image_format]}", ContentFile(encoded)
    )
    return default_storage.url(name)
