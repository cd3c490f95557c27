"""Image files made on the spot for upload tests, and small helpers to post and inspect them."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

from PIL import ExifTags, Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Upload

GPS_LATITUDE = (13.0, 44.0, 10.5)


def jpeg_with_exif(size=(64, 32), orientation: int | None = None) -> bytes:
    """A JPEG whose EXIF says where it was taken (GPS), with which camera, and optionally how to rotate it."""
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SalaCam"
    exif[ExifTags.Base.Model] = "Field Notes 1"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (100.0, 31.0, 5.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def image_bytes(fmt: str = "PNG", size=(48, 48), mode: str = "RGB", color=(20, 120, 60), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def noise_png(size=(300, 300), seed: int = 1) -> bytes:
    """A PNG that does not compress (random pixels): its size on disk is close to width × height × 3."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("P", (30, 20), index) for index in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def post_image(client, data: bytes, filename: str = "photo.jpg", **kwargs):
    return client.post(
        "/uploads", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data", **kwargs
    )


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def upload_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Upload))


def stored_files(app) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"])
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def name_of(url: str) -> str:
    match = re.fullmatch(r"/uploads/([0-9a-f]{32}\.(?:jpg|png|webp))", url)
    assert match, url
    return match.group(1)
