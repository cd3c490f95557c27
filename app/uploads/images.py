"""Uploaded images: checked by content, decoded at a bounded cost, re-encoded without metadata.

What is kept of an upload is a fresh encoding of its pixels only, so nothing the camera wrote (EXIF with GPS
position, maker notes, XMP, comments) reaches readers. Animations (GIF, animated WebP or PNG) keep their first
frame: entries need illustrations, not video, and no other frame is ever decoded. A GIF is stored as PNG.

A file of a few kilobytes can declare a picture of billions of pixels, so what a decode will cost is judged
from the header before any pixel is decoded (`_check_cost`), and the work after it runs on the image reduced to
the stored size:
- JPEG is decoded by libjpeg at 1/2, 1/4 or 1/8 scale when that is enough for the stored size (`draft`), so
  a camera photo costs a few bytes per stored pixel. A progressive JPEG still holds all its DCT coefficients
  while it decodes (2 bytes per sample), hence a second limit on those, and every scan passes over the whole
  picture again, hence a limit on scans times samples.
- PNG, GIF and WebP have no reduced decode: they cost bytes per source pixel (up to 8 for an image with
  transparency, which Pillow premultiplies while resizing; WebP keeps two more canvases in libwebp), hence
  lower pixel limits.
Every limit keeps one decode under 200 MB and 1 s on one core; bench/hostile/images.py measures it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
from dataclasses import dataclass
from io import BytesIO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps, JpegImagePlugin

from app.errors import DomainError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# 26 MP takes any 24 MP camera photo (6000 × 4000, or 6048 × 4024) and a 26 MP one (6240 × 4160); phones
# store 12 MP unless set to their 48/50 MP mode, which the member is asked to reduce first.
MAX_PHOTO_PIXELS = 26_000_000
# PNG, GIF and WebP are screenshots, drawings and web images: a 4K screen is 8.3 MP, a 12 MP phone picture
# (4032 × 3024) 12.2 MP. An image with transparency costs 8 bytes a pixel here; WebP 16 (libwebp's canvases).
MAX_LOSSLESS_PIXELS = 13_000_000
MAX_WEBP_PIXELS = 8_000_000
PIXEL_LIMITS = {
    "JPEG": MAX_PHOTO_PIXELS,
    "MPO": MAX_PHOTO_PIXELS,
    "PNG": MAX_LOSSLESS_PIXELS,
    "GIF": MAX_LOSSLESS_PIXELS,
    "WEBP": MAX_WEBP_PIXELS,
}
# A progressive JPEG holds all its DCT coefficients while it decodes (2 bytes a sample): a 26 MP photo with the
# usual 4:2:0 chroma (1.5 samples a pixel) holds 78 MB.
MAX_PROGRESSIVE_SAMPLES = 40_000_000
SAMPLES_PER_PIXEL = {0: 3.0, 1: 2.0, 2: 1.5}  # by JpegImagePlugin.get_sampling: 4:4:4, 4:2:2, 4:2:0
# Every scan passes over the picture again: encoders write about 10, a trap repeats one thousands of times.
MAX_SCANNED_SAMPLES = 12 * MAX_PROGRESSIVE_SAMPLES
JPEG_START_OF_SCAN = b"\xff\xda"
# Pillow's own guard (DecompressionBombError) stays on as a second line, past every limit above.
Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS

# mallopt(3): allocations of at least this many bytes get a mapping of their own, returned to the system when
# freed. 1 MB: image buffers are larger; a request's strings (a 200 KB entry body and its copies) stay on the
# heap. glibc's own 128 KB made every copy of a long body a new mapping and Markdown rendering 2-4x slower.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 1024 * 1024

JPEG_QUALITY = 85
WEBP_QUALITY = 85
NAME_HASH_CHARS = 32  # 128 bits of SHA-256: collisions are out of reach, URLs stay short


def _return_freed_image_memory() -> None:
    """Hold glibc's mmap threshold fixed, so image buffers go back to the system once freed.

    glibc raises the threshold after each large free (up to 32 MB): the next decode's buffers then come from
    the heap, which keeps what they free. A worker grew by 70 MB over a few uploads and its next decode peaked
    60 MB higher (tests/uploads/test_hostile_images.py). Not glibc (musl, macOS): nothing to do.
    """
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)


_return_freed_image_memory()


@dataclass(frozen=True)
class OutputFormat:
    pillow_format: str
    content_type: str
    extension: str


JPEG = OutputFormat("JPEG", "image/jpeg", ".jpg")
PNG = OutputFormat("PNG", "image/png", ".png")
WEBP = OutputFormat("WEBP", "image/webp", ".webp")
# Pillow calls a JPEG carrying extra pictures (a phone's depth or HDR map) "MPO"; its first picture is the photo.
OUTPUT_FOR_SOURCE = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG, "WEBP": WEBP, "GIF": PNG}


class NotAnImage(DomainError):
    """The content is not a JPEG, PNG, WebP or GIF Pillow can read, whatever the file is called."""


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    output: OutputFormat
    width: int
    height: int

    @property
    def stored_name(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:NAME_HASH_CHARS] + self.output.extension


def _not_an_image() -> NotAnImage:
    return NotAnImage(_l("ไฟล์นี้ไม่ใช่รูปภาพที่รองรับ: อัปโหลดได้เฉพาะรูปแบบ JPEG, PNG, WebP และ GIF"), field="file")


def _too_many_pixels(limit: int) -> NotAnImage:
    return NotAnImage(
        _l(
            "รูปภาพมีจำนวนพิกเซลมากเกินไป (รับได้ไม่เกิน %(mp)s ล้านพิกเซล) กรุณาย่อภาพก่อนอัปโหลด",
            mp=limit // 1_000_000,
        ),
        field="file",
    )


def _too_costly_jpeg() -> NotAnImage:
    return NotAnImage(
        _l("ไฟล์ JPEG นี้ต้องใช้ทรัพยากรในการเปิดมากเกินไป กรุณาย่อภาพหรือบันทึกใหม่เป็น JPEG แบบปกติ (ไม่ใช่แบบโปรเกรสซีฟ) ก่อนอัปโหลด"),
        field="file",
    )


def _check_cost(image: Image.Image, data: bytes) -> None:
    """Refuse, from the header alone, an image whose decode would cost more than the limits allow."""
    limit = PIXEL_LIMITS[image.format]
    width, height = image.size
    if width * height > limit:
        raise _too_many_pixels(limit)
    if image.format in ("JPEG", "MPO"):
        _check_jpeg_cost(image, data)


def _check_jpeg_cost(image: Image.Image, data: bytes) -> None:
    width, height = image.size
    samples = width * height * SAMPLES_PER_PIXEL.get(JpegImagePlugin.get_sampling(image), len(image.getbands()))
    scans = data.count(JPEG_START_OF_SCAN)  # may count a marker-like pair in metadata too: never too few
    if image.info.get("progressive") and samples > MAX_PROGRESSIVE_SAMPLES or samples * scans > MAX_SCANNED_SAMPLES:
        raise _too_costly_jpeg()


_SRGB = ImageCms.createProfile("sRGB")


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert using the embedded colour profile, so wide-gamut phone photos keep their colours without it."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken profile: keep the pixels as they are
    return converted or image


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.getbands() or "transparency" in image.info


def _output_mode(image: Image.Image, output: OutputFormat) -> Image.Image:
    """A mode the output format stores well."""
    if output is JPEG:
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if output is WEBP:
        wanted = "RGBA" if _has_alpha(image) else "RGB"
        return image if image.mode == wanted else image.convert(wanted)
    if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA"):
        return image
    return image.convert("RGBA" if _has_alpha(image) else "RGB")


def _resamplable(image: Image.Image) -> Image.Image:
    """The image in a mode Pillow resizes with a real filter (palette and 1-bit images would get nearest-pixel)."""
    if image.mode == "1":
        return image.convert("L")
    if image.mode in ("P", "PA"):
        return image.convert("RGBA" if _has_alpha(image) else "RGB")
    return image


def _encode(image: Image.Image, output: OutputFormat) -> bytes:
    buffer = BytesIO()
    if output is JPEG:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif output is WEBP:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def _reduced(source: Image.Image, max_side: int) -> Image.Image:
    """The first frame decoded and brought within `max_side`; at most one full-size copy lives at a time."""
    if source.format in ("JPEG", "MPO"):
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale when the stored size allows it.
        source.draft(source.mode, (max_side, max_side))
    source.load()
    if max(source.size) <= max_side:
        return source
    image = _resamplable(source)
    if image is not source:
        source.close()  # frees the decoded source (and WebP's decoder canvases) before resizing
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)  # reduce() by whole factors first
    return image


def _reencoded(source: Image.Image, max_side: int) -> ProcessedImage:
    output = OUTPUT_FOR_SOURCE[source.format]
    image = _reduced(source, max_side)
    image = ImageOps.exif_transpose(image)
    image = _output_mode(_to_srgb(image), output)
    # Encoders fall back on `info` for some metadata (PNG writes its ICC profile from there): keep only
    # what the pixels need.
    transparency = image.info.get("transparency")
    image.info = {} if transparency is None else {"transparency": transparency}
    return ProcessedImage(_encode(image, output), output, image.width, image.height)


def _pixel_limit_of(data: bytes) -> int:
    """The pixel limit of the format `data` is in, once Pillow has refused to open it as too large."""
    for name in ACCEPTED_FORMATS:
        try:
            Image.open(BytesIO(data), formats=[name]).close()
        except Image.DecompressionBombError:
            return PIXEL_LIMITS[name]
        except Exception:  # not this format
            continue
    return MAX_PHOTO_PIXELS


def process_image(data: bytes, max_side: int) -> ProcessedImage:
    """Check `data` is an accepted image by its content and re-encode it, at most `max_side` px on each side.

    Raises NotAnImage for anything else (SVG, HTML, PDF, BMP, a truncated or corrupt file, too costly to decode).
    """
    try:
        with Image.open(BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            _check_cost(probe, data)
            probe.verify()
        # verify() leaves the image unusable; decode from a fresh start.
        with Image.open(BytesIO(data), formats=ACCEPTED_FORMATS) as source:
            return _reencoded(source, max_side)
    except DomainError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(_pixel_limit_of(data)) from None
    except Exception:  # Pillow reports a damaged or unknown file with many kinds of exception
        raise _not_an_image() from None
