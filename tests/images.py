"""Image files for the tests, made with Pillow (or byte by byte, where Pillow would refuse)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

# A position the stored copy must not give away: Khmeimim's runway, as a camera writes it.
GPS_LATITUDE = (35.0, 24.0, 43.21)
GPS_MARKER = b"GPS-SECRET-POSITION"
CAMERA_TIME = "2024:12:13 10:21:07"


def picture(size=(64, 48), mode: str = "RGB") -> Image.Image:
    """A small image with a pattern, so re-encoding has something to keep."""
    image = Image.new(mode, size, "white" if mode != "RGBA" else (255, 255, 255, 128))
    for x in range(size[0]):
        image.putpixel((x, x * size[1] // size[0]), (200, 30, 30) if mode == "RGB" else image.getpixel((0, 0)))
    return image


def encoded(format: str, size=(64, 48), mode: str = "RGB", **options) -> bytes:
    buffer = io.BytesIO()
    picture(size, mode).save(buffer, format=format, **options)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF holds a GPS position, the camera's capture time and a marked maker note."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (35.0, 57.0, 12.34),
        ExifTags.GPS.GPSProcessingMethod: GPS_MARKER,
    }
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = CAMERA_TIME
    return encoded("JPEG", exif=exif.tobytes(), comment=b"camera comment")


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A few hundred bytes declaring width x height RGB pixels: decoding it would take 1.2 GB.
    Only the header is written (and a few rows' worth of zeros), nothing is allocated."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 3 * width) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", rows) + png_chunk(b"IEND", b"")


def zip_payload() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(document.cookie)</script>")
    return buffer.getvalue()


HTML_PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>"

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
