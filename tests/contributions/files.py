"""Test files made in code with Pillow: nothing is downloaded."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg_bytes(size=(64, 40), color=(200, 30, 30), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x0131] = "GPS-TRACKER-SOFTWARE"  # Software
    return jpeg_bytes(exif=exif.tobytes())


def png_bytes(size=(40, 30), mode="RGB", color=(10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format="PNG")
    return out.getvalue()


def gif_bytes(size=(20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("P", size, 3).save(out, format="GIF")
    return out.getvalue()


def pdf_bytes(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + extra
        + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def gif_js_polyglot() -> bytes:
    """A GIF whose header reads as the start of a JavaScript comment, with script hidden in a comment block
    and after the trailer: GIF89a/*...*/=alert("polyglot");"""
    out = io.BytesIO()
    # width 0x2A2F = 10799 makes the bytes after "GIF89a" read "/*"
    Image.new("P", (10799, 1), 0).save(out, format="GIF", comment=b"*/=alert('polyglot');/*")
    return out.getvalue() + b"*/=alert(document.cookie);"


def png_bomb(width=20000, height=20000) -> bytes:
    """A tiny valid PNG whose header claims width x height pixels (the pixels are never decoded)."""
    data = bytearray(png_bytes(size=(1, 1), mode="L", color=0))
    ihdr_at = 8  # after the signature: length (4) + b"IHDR" (4) + data (13) + crc (4)
    body = bytes(data[ihdr_at + 8 : ihdr_at + 8 + 13])
    body = struct.pack(">II", width, height) + body[8:]
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + body) & 0xFFFFFFFF)
    data[ihdr_at + 8 : ihdr_at + 8 + 13] = body
    data[ihdr_at + 21 : ihdr_at + 25] = crc
    return bytes(data)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
