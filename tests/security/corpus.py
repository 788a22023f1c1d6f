"""A corpus of hostile uploads, generated in code (nothing is downloaded).

Each case says what the registration form must do with it: refuse it with a clear message, or (images
that can be decoded) store it re-encoded with no trace of the payload. Run this module to write the
corpus to a directory for manual testing against `make run`:

    python -m tests.security.corpus var/hostile-uploads
"""

import io
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

REFUSED, REENCODED = "refused", "re-encoded"
LIMIT = 3 * 1024 * 1024


@dataclass(frozen=True)
class Case:
    label: str
    filename: str
    content: bytes
    content_type: str
    expect: str  # REFUSED or REENCODED
    message: str = ""  # part of the message shown when refused
    payload: bytes = b""  # must not survive re-encoding


def jpeg(size=(64, 40), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    image.save(out, format="JPEG", **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"
    gps = {1: "N", 2: (3.0, 8.0, 50.0), 3: "E", 4: (101.0, 41.0, 10.0)}  # Kuala Lumpur
    exif[0x8825] = gps
    return jpeg(exif=exif.tobytes())


def gif_js_polyglot() -> bytes:
    """GIF89a/*...*/=alert(...): the header is also the start of a JavaScript comment."""
    out = io.BytesIO()
    Image.new("P", (10799, 1), 0).save(out, format="GIF", comment=b"*/=alert('polyglot');/*")
    return out.getvalue() + b"*/=alert(document.cookie);"


def png_bomb(width=20000, height=20000) -> bytes:
    """A valid PNG header claiming width x height pixels, under 1 KB."""
    data = bytearray(png(size=(1, 1)))
    body = struct.pack(">II", width, height) + bytes(data[16:29])[8:]
    data[16:29] = body
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + body) & 0xFFFFFFFF)
    return bytes(data)


def pdf(extra: bytes = b"", prefix: bytes = b"") -> bytes:
    return (
        prefix
        + b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        + b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + extra
        + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


TYPE = "Only JPEG, PNG, GIF or PDF"
PDF_ACTIVE = "scripts, actions or embedded files"


def content_cases() -> list[Case]:
    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    return [
        Case(
            "3 MB + 1 byte",
            "big.jpg",
            jpeg() + b"\0" * (LIMIT + 1 - len(jpeg())),
            "image/jpeg",
            REFUSED,
            "3 MB",
        ),
        Case("0 bytes", "empty.jpg", b"", "image/jpeg", REFUSED, "empty"),
        Case(
            "ELF executable as .pdf",
            "ic.pdf",
            b"\x7fELF\x02\x01\x01" + b"\0" * 500,
            "application/pdf",
            REFUSED,
            TYPE,
        ),
        Case(
            "MZ executable as .pdf",
            "ic.pdf",
            b"MZ\x90\x00\x03" + b"\0" * 500,
            "application/pdf",
            REFUSED,
            TYPE,
        ),
        Case("HTML as .pdf", "ic.pdf", html, "application/pdf", REFUSED, TYPE),
        Case(
            "SVG as .png",
            "ic.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
            b"<script>alert(2)</script></svg>",
            "image/png",
            REFUSED,
            TYPE,
        ),
        Case("GIF/JS polyglot", "ic.gif", gif_js_polyglot(), "image/gif", REENCODED, payload=b"alert("),
        Case("PNG with appended HTML", "ic.png", png() + html, "image/png", REENCODED, payload=b"<script"),
        Case(
            "JPEG with EXIF GPS",
            "ic.jpg",
            jpeg_with_gps(),
            "image/jpeg",
            REENCODED,
            payload=b"SecretPhoneMaker",
        ),
        Case(
            "decompression bomb PNG 20000x20000",
            "bomb.png",
            png_bomb(),
            "image/png",
            REFUSED,
            "too many pixels",
        ),
        Case(
            "truncated JPEG",
            "ic.jpg",
            jpeg(size=(400, 300))[:1500],
            "image/jpeg",
            REFUSED,
            "could not be read",
        ),
        Case(
            "PDF with junk before %PDF-", "ic.pdf", pdf(prefix=b"JUNK" * 64), "application/pdf", REFUSED, TYPE
        ),
        Case(
            "PDF with /JavaScript",
            "ic.pdf",
            pdf(b"3 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"),
            "application/pdf",
            REFUSED,
            PDF_ACTIVE,
        ),
        Case(
            "PDF with /OpenAction running script",
            "ic.pdf",
            pdf(b"3 0 obj << /OpenAction << /S /JS /JS (app.alert(1)) >> >> endobj\n"),
            "application/pdf",
            REFUSED,
            PDF_ACTIVE,
        ),
        Case(
            "PDF with /Launch",
            "ic.pdf",
            pdf(b"3 0 obj << /S /Launch /F (cmd.exe) >> endobj\n"),
            "application/pdf",
            REFUSED,
            PDF_ACTIVE,
        ),
        Case(
            "PDF with /EmbeddedFile",
            "ic.pdf",
            pdf(b"3 0 obj << /Type /EmbeddedFile /Length 4 >> stream\nMZ\0\0\nendstream endobj\n"),
            "application/pdf",
            REFUSED,
            PDF_ACTIVE,
        ),
        Case(
            "encrypted PDF",
            "ic.pdf",
            pdf(b"4 0 obj << /Filter /Standard /V 2 /R 3 /O (x) /U (y) /P -4 >> endobj\n/Encrypt 4 0 R\n"),
            "application/pdf",
            REFUSED,
            "protected with a password",
        ),
    ]


HOSTILE_NAMES = [
    "../../etc/passwd",
    "x.php.jpg",
    "x.jpg%00.php",
    "x.jpg\x00.php",
    "CON.jpg",
    "a" * 300 + ".jpg",
    "invoice\u202egpj.exe",
    'my "ic".jpg',
    "ic\r\nContent-Type: text/html\r\n.jpg",
    "<script>alert(1)</script>.jpg",
]


def name_cases() -> list[Case]:
    """A plain, valid photo under each hostile name: stored (re-encoded) under a harmless name."""
    return [
        Case(f"name {name[:40]!r}", name, jpeg(), "image/jpeg", REENCODED, payload=b"")
        for name in HOSTILE_NAMES
    ]


def all_cases() -> list[Case]:
    return content_cases() + name_cases()


def write(directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for index, case in enumerate(all_cases()):
        safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in case.filename)[:80]
        (directory / f"{index:02d}-{safe}").write_bytes(case.content)
    return len(all_cases())


if __name__ == "__main__":  # pragma: no cover - a helper for manual testing
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/hostile-uploads")
    print(f"{write(target)} hostile files written to {target}")
