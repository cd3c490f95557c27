"""Hostile images, made on the spot without ever holding their pixels: used by tests/uploads and bench/hostile.

Each builder writes a valid file (unless it says otherwise) whose decode would cost what its header declares.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_one_colour(width: int, height: int, *, chunks: bytes = b"") -> bytes:
    """A 1-bit greyscale PNG, all black: about 1 KB of file per 1,000 × 1,000 pixels."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte 0, then the bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + chunks
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def png_with_text_bomb(megabytes: int) -> bytes:
    """A small PNG carrying a zTXt comment that inflates to `megabytes` MB."""
    text = zlib.compress(b"\x00" * (megabytes * 1024 * 1024), 9)
    return png_of_one_colour(64, 64, chunks=_png_chunk(b"zTXt", b"Comment\x00\x00" + text))


def gif_with_screen(width: int, height: int, frames: int = 1) -> bytes:
    """A GIF whose screen is `width` × `height` and whose `frames` frames are each one pixel."""
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    loop = b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    frame = b"!\xf9\x04\x00\x01\x00\x00\x00" + b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return header + loop + frame * frames + b";"


def _riff(chunks: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


def _webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], 12
    while offset < len(data):
        kind, size = data[offset : offset + 4], struct.unpack("<I", data[offset + 4 : offset + 8])[0]
        chunks.append((kind, data[offset : offset + 8 + size + (size & 1)]))
        offset += 8 + size + (size & 1)
    return chunks


def animated_webp(width: int, height: int, frames: int = 2) -> bytes:
    """An animated WebP with a `width` × `height` canvas and `frames` frames of 16 × 16 pixels each."""
    images = [Image.new("RGBA", (16, 16), (index * 40 % 256, 0, 0, 255)) for index in range(2)]
    buffer = io.BytesIO()
    images[0].save(buffer, "WEBP", save_all=True, append_images=images[1:], lossless=True, duration=40)
    chunks = _webp_chunks(buffer.getvalue())
    vp8x = bytearray(chunks[0][1])
    vp8x[12:18] = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    anim = b"".join(chunk for kind, chunk in chunks[1:] if kind != b"ANMF")
    frame = next(chunk for kind, chunk in chunks if kind == b"ANMF")
    return _riff(bytes(vp8x) + anim + frame * frames)


def jpeg_claiming(width: int, height: int) -> bytes:
    """A 16 × 16 JPEG whose header says `width` × `height`: a tiny file that would decode to a huge picture."""
    data = bytearray(_pillow("JPEG", Image.new("RGB", (16, 16), (90, 90, 90))))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def progressive_jpeg_with_scans(scans: int, size: tuple[int, int] = (2000, 2000)) -> bytes:
    """A valid progressive JPEG whose last scan is repeated until it has `scans` scans."""
    data = _pillow("JPEG", Image.new("RGB", size, (90, 20, 200)), progressive=True)
    last_scan = data.rindex(b"\xff\xda")
    body, end = data[last_scan:-2], data[-2:]
    present = data.count(b"\xff\xda")
    return data[:-2] + body * max(0, scans - present) + end


def one_colour(fmt: str, size: tuple[int, int], mode: str = "RGB", **save) -> bytes:
    """A real picture of one colour, as Pillow writes it (the most a file that small can make a decoder do)."""
    colour = {"RGB": (10, 120, 60), "RGBA": (10, 120, 60, 128), "CMYK": (10, 20, 30, 40)}.get(mode, 1)
    return _pillow(fmt, Image.new(mode, size, colour), **save)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def png_signature_then_jpeg() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + one_colour("JPEG", (64, 64))


def gif_header_then_png() -> bytes:
    return b"GIF89a" + one_colour("PNG", (64, 64))


def webp_wrapping_png() -> bytes:
    png = one_colour("PNG", (64, 64))
    return _riff(b"VP8L" + struct.pack("<I", len(png)) + png + b"\x00" * (len(png) & 1))


def _pillow(fmt: str, image: Image.Image, **save) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()
