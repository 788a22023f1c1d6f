"""Uploaded documents: decide the type from the content, clean it, and name it safely.

Nothing here writes to disk. `inspect_upload` reads an upload and returns the bytes to keep:
- at most DOCUMENT_MAX_BYTES (3 MB) and never empty;
- JPEG, PNG or GIF by their magic bytes, opened with Pillow and encoded again (which drops EXIF and any
  text, comment or trailing bytes: the end of a GIF/JS polyglot or HTML appended to a PNG does not survive),
  with the pixel count capped and Pillow's decompression-bomb warning turned into a refusal;
- PDF only with `%PDF-` at offset 0, and refused when it names scripts, launch actions or embedded files.
The file's name and the browser's Content-Type are never trusted; the name is kept only as a label.
"""

import hashlib
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # 8,000 x 5,000: more than any phone photo of a card or licence needs
MAX_NAME_LENGTH = 100

MESSAGE_EMPTY = _("The file you chose is empty. Please choose the file again.")
MESSAGE_TOO_BIG = _("The file is larger than 3 MB. Please choose a smaller file or take the photo again.")
MESSAGE_TYPE = _("Only JPEG, PNG, GIF or PDF files are accepted, and this file is none of them.")
MESSAGE_DAMAGED = _(
    "This image could not be read: it may be damaged or incomplete. Please choose another file."
)
MESSAGE_PIXELS = _("This image has too many pixels. Please upload a smaller photo or a scan at 300 dpi.")
MESSAGE_PDF_ACTIVE = _(
    "This PDF contains scripts, actions or embedded files, which are not accepted. "
    "Please upload a photo or a plain scan instead."
)
MESSAGE_TOO_BIG_AFTER = _("This image is too large once prepared for storage. Please upload a smaller photo.")

JPEG, PNG, GIF, PDF = "image/jpeg", "image/png", "image/gif", "application/pdf"
EXTENSIONS = {JPEG: "jpg", PNG: "png", GIF: "gif", PDF: "pdf"}
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF"}
# PDF name objects that run code, start programs or carry other files.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?![A-Za-z0-9])")


@dataclass(frozen=True)
class CheckedDocument:
    """An upload that passed every check: the bytes to store and what to record about them."""

    content: bytes
    content_type: str
    original_name: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def sniff(head: bytes) -> str | None:
    """The type from the first bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def safe_name(name: str) -> str:
    """A label for the file: no folders, control or direction characters, quotes, at most 100 characters."""
    name = unicodedata.normalize("NFKC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in {"C", "Z"} or ch == " ")
    name = re.sub(r"[\"<>:|?*;]", "", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 5:
            name = f"{stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip()}.{ext}"
        else:
            name = name[:MAX_NAME_LENGTH]
    return name or "document"


def download_name(original_name: str, content_type: str) -> str:
    """The stored label with the extension of what the file really is."""
    stem = original_name.rsplit(".", 1)[0] if "." in original_name else original_name
    return f"{stem or 'document'}.{EXTENSIONS[content_type]}"


def inspect_upload(uploaded) -> CheckedDocument:
    """Check and clean an uploaded file; raise ValidationError with a message for the person."""
    max_bytes = settings.DOCUMENT_MAX_BYTES
    if not uploaded.size:
        raise ValidationError(MESSAGE_EMPTY, code="empty")
    if uploaded.size > max_bytes:
        raise ValidationError(MESSAGE_TOO_BIG, code="too_big")
    uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    if not data:
        raise ValidationError(MESSAGE_EMPTY, code="empty")
    if len(data) > max_bytes:
        raise ValidationError(MESSAGE_TOO_BIG, code="too_big")
    content_type = sniff(data[:8])
    if content_type is None:
        raise ValidationError(MESSAGE_TYPE, code="type")
    if content_type == PDF:
        if _PDF_ACTIVE.search(data):
            raise ValidationError(MESSAGE_PDF_ACTIVE, code="pdf_active")
        content = data
    else:
        content = _reencode(data, content_type)
        if len(content) > max_bytes:
            raise ValidationError(MESSAGE_TOO_BIG_AFTER, code="too_big")
    return CheckedDocument(
        content=content, content_type=content_type, original_name=safe_name(getattr(uploaded, "name", ""))
    )


def _reencode(data: bytes, content_type: str) -> bytes:
    expected_format = _PILLOW_FORMATS[content_type]
    # Importing WeasyPrint turns Pillow's process-wide LOAD_TRUNCATED_IMAGES on; an upload cut short must
    # still be refused, so it is switched back off before every check.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[expected_format])
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(MESSAGE_PIXELS, code="pixels")
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationError(MESSAGE_PIXELS, code="pixels") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ValidationError(MESSAGE_DAMAGED, code="damaged") from exc
    if content_type == JPEG:
        image = ImageOps.exif_transpose(image)
    # Only the pixels (and the transparent palette entry) go into the new file: no EXIF, comments or text.
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    out = io.BytesIO()
    if content_type == JPEG:
        if image.mode not in {"RGB", "L"}:
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=88, optimize=True)
    elif content_type == PNG:
        if image.mode not in {"RGB", "RGBA", "L", "LA", "P", "1"}:
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
    else:
        if image.mode not in {"P", "L"}:
            image = image.convert("P")
        image.save(out, format="GIF")
    return out.getvalue()
