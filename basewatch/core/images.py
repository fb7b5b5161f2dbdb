"""Evidence images in: the one place that decides what an uploaded image may be, and what is kept.

An upload is checked in this order, each step refusing with a message for the `file` field:

1. size: no more than settings.IMAGE_MAX_BYTES, before anything is read;
2. type, by content: Pillow must identify it as JPEG, PNG, WebP or TIFF (its name and the
   browser's Content-Type are not asked: a text file named .jpg or an SVG is refused);
3. pixels: width x height from the header, before a pixel is decoded, no more than
   settings.IMAGE_MAX_PIXELS, so a small file declaring 20,000 x 20,000 pixels (a
   decompression bomb) is refused at once instead of filling the memory;
4. decoding: a truncated or corrupt file is refused, not stored half-read.

What is stored is a re-encoding of the decoded pixels, turned upright as the camera's
orientation tag said: the EXIF block (GPS position, camera serial number), XMP, ICC
profile, comments and any bytes after the image (a ZIP or HTML document appended to
a JPEG: a polyglot) are left behind, because only pixels go into the new file. The
camera's capture date is read first and offered to the editor, who confirms it; it is
not kept otherwise. TIFF, which browsers do not show, is stored as PNG.

The form, the admin and any other face call `check_upload` and `attach`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from basewatch.core.models import EvidenceImage, Observation, Source
from basewatch.core.models.images import image_path, thumbnail_path

ACCEPTED = ("JPEG", "PNG", "WEBP", "TIFF")
ACCEPTED_TEXT = "JPEG, PNG, WebP or TIFF"
# Cameras write JPEGs with a second, multi-picture index: Pillow names those MPO.
STORED_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "TIFF": "PNG"}
THUMBNAIL_BOX = (480, 480)
SAVE_OPTIONS = {"JPEG": {"quality": 90}, "PNG": {}, "WEBP": {"quality": 90}}


@dataclass(frozen=True)
class CheckedImage:
    """An upload that passed every check, re-encoded and ready to store."""

    content: bytes
    thumbnail: bytes
    format: str
    original_format: str
    original_sha256: str
    width: int
    height: int
    camera_date: dt.date | None  # DateTimeOriginal from the EXIF, for the editor to confirm


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB" if size >= 1_000_000 else f"{size:,} bytes"


def check_upload(upload) -> CheckedImage:
    """Check an uploaded file (Django's UploadedFile, or any object with `size` and `read`) and
    re-encode it; ValidationError for `file` when it may not be stored."""
    if upload.size > settings.IMAGE_MAX_BYTES:
        raise _refuse(
            f"This file is {_megabytes(upload.size)}; images may be at most {_megabytes(settings.IMAGE_MAX_BYTES)}."
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    raw = upload.read(settings.IMAGE_MAX_BYTES + 1)
    if len(raw) > settings.IMAGE_MAX_BYTES:  # a size that was not what the upload said
        raise _refuse(f"Images may be at most {_megabytes(settings.IMAGE_MAX_BYTES)}.")
    return check_bytes(raw)


def check_bytes(raw: bytes) -> CheckedImage:
    try:
        image = Image.open(io.BytesIO(raw), formats=ACCEPTED)
    except Image.DecompressionBombError:  # Pillow's own limit, twice its default of 89 million pixels
        raise _refuse(_too_many_pixels()) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse(f"This file is not an image basewatch takes: upload a {ACCEPTED_TEXT} file.") from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > settings.IMAGE_MAX_PIXELS:
        raise _refuse(_too_many_pixels(width, height))
    original_format = image.format
    camera_date = _camera_date(image)
    try:
        clean = _clean_pixels(image)
    except Image.DecompressionBombError:
        raise _refuse(_too_many_pixels()) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise _refuse("This image is damaged or cut short: it could not be read to the end.") from None
    stored = STORED_AS[original_format]
    return CheckedImage(
        content=_encode(clean, stored),
        thumbnail=_encode(fit_within(clean, THUMBNAIL_BOX), stored),
        format=stored,
        original_format="JPEG" if original_format == "MPO" else original_format,
        original_sha256=hashlib.sha256(raw).hexdigest(),
        width=clean.width,
        height=clean.height,
        camera_date=camera_date,
    )


def _too_many_pixels(width: int | None = None, height: int | None = None) -> str:
    limit = f"images may have at most {settings.IMAGE_MAX_PIXELS:,} pixels (width × height)"
    if width is None:
        return f"This image declares too many pixels: {limit}."
    return f"This image declares {width:,} × {height:,} pixels; {limit}. Crop or scale it down."


def _camera_date(image: Image.Image) -> dt.date | None:
    """DateTimeOriginal (or DateTime) from the EXIF block, if it reads as a plausible date."""
    try:
        exif = image.getexif()
        text = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
        day = dt.datetime.strptime(str(text).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S").date()
    except (ValueError, TypeError, KeyError, OSError, SyntaxError):
        return None
    return day if dt.date(1900, 1, 1) <= day <= dt.date.today() else None


def _clean_pixels(image: Image.Image) -> Image.Image:
    """The first frame's pixels, upright, in a mode every stored format takes, with no metadata.

    Decoded once and turned in place, so a large image is held in memory about twice at most
    (the decoded frame and, for unusual modes, its conversion)."""
    image.load()
    ImageOps.exif_transpose(image, in_place=True)
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if has_alpha else "RGB")
    # Pillow carries metadata in `info` into a saved file (PNG text, ICC profile, EXIF):
    # the clean image has none, so nothing but pixels is written.
    image.info = {}
    return image


def fit_within(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """The image scaled down (never up) to fit `box` (width, height): thumbnails, here and of captures."""
    scale = min(box[0] / image.width, box[1] / image.height, 1)
    if scale == 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image, format: str) -> bytes:
    if format == "JPEG" and image.mode == "RGBA":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=format, **SAVE_OPTIONS[format])
    return buffer.getvalue()


def save_once(storage, name: str, content: bytes | File) -> str:
    """Save under `name`, made of the content's SHA-256: bytes already stored are reused, not copied.

    A storage that saved them under another name (it found the name taken) would break the
    name-is-the-hash promise that images and captures make: that is an error.
    """
    if not storage.exists(name):
        saved = storage.save(name, content if isinstance(content, File) else ContentFile(content))
        if saved != name:
            storage.delete(saved)
            raise RuntimeError(f"storage stored {name} as {saved}")
    return name


def refuse_duplicate(checked: CheckedImage, *, observation=None, source=None) -> None:
    """ValidationError for `file` when this image is already attached to the observation or source."""
    target = {"observation": observation} if observation else {"source": source}
    if EvidenceImage.objects.filter(**target, sha256=hashlib.sha256(checked.content).hexdigest()).exists():
        raise _refuse("This image is already attached here.")


def attach(
    checked: CheckedImage,
    *,
    observation: Observation | None = None,
    source: Source | None = None,
    user=None,
    captured: dt.date | None = None,
    credit: str = "",
    caption: str = "",
) -> EvidenceImage:
    """Store a checked image and attach it to an observation or a source; ValidationError when
    the same image is already attached there or a field is invalid."""
    image = EvidenceImage(
        observation=observation,
        source=source,
        sha256=hashlib.sha256(checked.content).hexdigest(),
        original_sha256=checked.original_sha256,
        original_format=checked.original_format,
        format=checked.format,
        width=checked.width,
        height=checked.height,
        size=len(checked.content),
        captured=captured,
        credit=credit,
        caption=caption,
        uploaded_by=user,
    )
    refuse_duplicate(checked, observation=observation, source=source)
    image.full_clean(exclude=["file", "thumbnail"])
    storage = EvidenceImage._meta.get_field("file").storage
    image.file.name = save_once(storage, image_path(image, ""), checked.content)
    image.thumbnail.name = save_once(storage, thumbnail_path(image, ""), checked.thumbnail)
    try:
        with transaction.atomic():
            image.save()
    except IntegrityError:  # the same image attached by a save at the same moment
        raise _refuse("This image is already attached here.") from None
    return image
