"""RESIT RASMI as a PDF, rendered by WeasyPrint from a Receipt row and nothing else.

Safety (SECURITY.md section 3): the HTML comes from our own template, the person's data only through
autoescaped variables, and every resource WeasyPrint asks for goes through `ReceiptFetcher`, which serves a
fixed list of the project's own assets (fonts from RECEIPT_FONT_PATHS, the QR code made here) and aborts the
render on anything else: no file:, http(s):, data: or relative URLs.

Determinism: the same row gives the same bytes, in this process or a fresh one. The PDF's dates and
identifier come from the row, fonts are subset the same way each time, and nothing random is written.

Speed (docs/receipts.md): one FontConfiguration and the parsed stylesheet, its fonts registered, are shared by
every render in a process (the stylesheet with the CJK font is made the first time a name needs it); the
template is a few plain blocks styled by a two-rule user-agent stylesheet; the QR code is a small PNG with a
fixed data mask; Chinese names use a TrueType CJK font, whose subset is small and quick to make.
WeasyPrint's image `cache` is deliberately NOT shared: it is keyed by URL, and the QR code is the only image,
so a shared cache would gain nothing and could print one receipt's QR code on another.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import unicodedata
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageFile
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from matrix_portal.money import format_rm
from receipts.models import Receipt

# Importing WeasyPrint made Pillow accept truncated images process-wide; receipts use only our own assets, and
# uploaded documents must be checked strictly, so the default is restored.
ImageFile.LOAD_TRUNCATED_IMAGES = False

logger = logging.getLogger(__name__)

DEFAULT_FONT_PATHS = {
    "latin": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "latin-bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "cjk": "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
}
FONT_CONTENT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".ttc": "font/collection"}
ASSET_SCHEME = "asset:"
# Any of the eight QR data masks gives a valid code that every reader decodes. Over random verification URLs,
# mask 2 had the lowest penalty score of the eight in half of them and was never more than 15% above the best.
QR_MASK = 2


# WeasyPrint matches its whole HTML5 user-agent stylesheet (about 250 rules, mostly for elements the receipt
# never uses) against every element of every render. The receipt template uses only these elements, and its
# own stylesheet sets every margin; any other element added to the template is inline until styled here.
USER_AGENT_STYLESHEET = CSS(
    string="head { display: none } "
    "html, body, h1, h2, h3, address, p, dl, dt, dd, figure, figcaption { display: block }"
)


class ReceiptHTML(HTML):
    """An HTML document styled with `USER_AGENT_STYLESHEET` instead of WeasyPrint's HTML5 one."""

    def _ua_stylesheets(self, forms=False):
        return [USER_AGENT_STYLESHEET]


class ReceiptAssetRefused(FatalURLFetchingError):
    """WeasyPrint asked for something that is not one of the receipt's own assets: the render stops."""


def font_paths() -> dict[str, Path]:
    """The configured fonts that exist on this machine (missing ones fall back to fontconfig's choice)."""
    configured = {**DEFAULT_FONT_PATHS, **getattr(settings, "RECEIPT_FONT_PATHS", {})}
    found = {}
    for role, path in configured.items():
        path = Path(path)
        if path.is_file():
            found[role] = path
        else:
            logger.warning("Receipt font %s not found at %s; using a system font instead.", role, path)
    return found


class ReceiptFetcher(URLFetcher):
    """Serves `asset:` URLs from an allow-list and refuses everything else by aborting the render."""

    def __init__(self, *, assets: dict[str, tuple[bytes | Path, str]]):
        super().__init__(allowed_protocols=set(), allow_redirects=False, timeout=1)
        self._assets = assets
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        asset = self._assets.get(url)
        if asset is None:
            raise ReceiptAssetRefused(f"Receipt rendering refused a resource: {url[:80]!r}")
        content, content_type = asset
        body = content.read_bytes() if isinstance(content, Path) else content
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


FONT_FACES = (
    ("latin", "Receipt Sans", "normal"),
    ("latin-bold", "Receipt Sans", "bold"),
    ("cjk", "Receipt CJK", "normal"),
)


def _latin_codepoints(path: Path | None) -> frozenset[int]:
    if path is None:
        return frozenset(range(0x20, 0x250))
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


class _Shared:
    """What every render in this process reuses: the fonts, registered once, and the parsed stylesheets."""

    def __init__(self):
        self.fonts = font_paths()
        self.font_config = FontConfiguration()
        self.latin_codepoints = _latin_codepoints(self.fonts.get("latin"))
        self._stylesheets: dict[bool, CSS] = {}

    def stylesheet(self, *, cjk: bool) -> CSS:
        """The receipt's stylesheet, with the CJK font or without: parsed, and its fonts registered, once."""
        if cjk not in self._stylesheets:
            self._stylesheets[cjk] = self._parse_stylesheet(cjk=cjk)
        return self._stylesheets[cjk]

    def _parse_stylesheet(self, *, cjk: bool) -> CSS:
        assets, font_faces = {}, []
        for role, family, weight in FONT_FACES:
            if role in self.fonts and (role != "cjk" or cjk):
                url = f"{ASSET_SCHEME}font/{role}"
                path = self.fonts[role]
                assets[url] = (path, FONT_CONTENT_TYPES.get(path.suffix, "font/ttf"))
                font_faces.append({"family": family, "weight": weight, "url": url})
        css = render_to_string("receipts/receipt_pdf.css", {"font_faces": font_faces, "use_cjk": cjk})
        fetcher = ReceiptFetcher(assets=assets)
        return CSS(string=css, base_url=None, url_fetcher=fetcher, font_config=self.font_config)


_shared: _Shared | None = None
# WeasyPrint's shared font configuration is not made for concurrent renders.
_lock = threading.Lock()


def _get_shared() -> _Shared:
    global _shared
    if _shared is None:
        _shared = _Shared()
    return _shared


def reset_shared_state() -> None:
    """Forget fonts and caches (tests that change RECEIPT_FONT_PATHS call this)."""
    global _shared
    with _lock:
        _shared = None


def needs_cjk(text: str, latin_codepoints: frozenset[int]) -> bool:
    """True when the Latin font lacks a glyph for some printable character of `text`."""
    return any(
        ord(ch) not in latin_codepoints and not unicodedata.category(ch).startswith(("C", "Z")) for ch in text
    )


def verification_url(receipt: Receipt) -> str:
    path = reverse("receipts:verify", kwargs={"number": receipt.number, "token": receipt.verification_token})
    return f"{settings.SITE_URL}{path}"


def qr_png(url: str) -> bytes:
    """The QR code as a grey PNG, one pixel per module, made by segno from our own URL (no personal data).

    The template scales it up with `image-rendering: pixelated`, so each module stays a sharp square, and
    WeasyPrint embeds a grey PNG as it is. The data mask is fixed (`QR_MASK`) rather than chosen by scoring
    all eight, which cost about 10 ms of CPU per render.
    """
    qr = segno.make(url, error="m", micro=False, mask=QR_MASK)
    size = len(qr.matrix)
    modules = bytes(0 if dark else 255 for row in qr.matrix for dark in row)
    out = io.BytesIO()
    Image.frombytes("L", (size, size), modules).save(out, format="PNG")
    return out.getvalue()


def receipt_context(receipt: Receipt) -> dict:
    paid_at = timezone.localtime(receipt.paid_at)
    fmt = "%d-%m-%Y %H:%M:%S"
    return {
        "number": receipt.number,
        "ic_number": receipt.ic_number,
        "self_employed_code": receipt.self_employed_code,
        # The column holds at most this many characters; a longer value (only possible on a row that was
        # never saved to PostgreSQL) is cut rather than allowed to stretch the render time or the page.
        "name": receipt.name[: Receipt._meta.get_field("name").max_length],
        "payment_type": f"Pekerjaan Sendiri - {receipt.sector_name_ms}",
        "payment_method": receipt.payment_method_label,
        "plan": format_rm(receipt.plan_yearly_amount),
        "months": f"{receipt.months} Bulan",
        "amount": format_rm(receipt.amount),
        "paid_date": paid_at.strftime("%d-%m-%Y"),
        "paid_time": paid_at.strftime("%H:%M:%S"),
        "coverage": (
            f"{timezone.localtime(receipt.coverage_start).strftime(fmt)} hingga "
            f"{timezone.localtime(receipt.coverage_end).strftime(fmt)}"
        ),
        "is_online": bool(receipt.fpx_txn_id or receipt.bank_name),
        "bank_name": receipt.bank_name,
        "fpx_txn_id": receipt.fpx_txn_id,
        "created": timezone.localtime(receipt.issued_at).replace(microsecond=0).isoformat(),
    }


def render_receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt's PDF bytes. Same row, same bytes."""
    with _lock:
        shared = _get_shared()
        use_cjk = "cjk" in shared.fonts and needs_cjk(receipt.name, shared.latin_codepoints)
        # Unique per receipt, so nothing keyed by URL can ever show another receipt's code.
        qr_asset = f"{ASSET_SCHEME}qr/{receipt.number}.png"
        fetcher = ReceiptFetcher(assets={qr_asset: (qr_png(verification_url(receipt)), "image/png")})
        context = receipt_context(receipt)
        context.update({"use_cjk": use_cjk, "qr_url": qr_asset})
        html = render_to_string("receipts/receipt_pdf.html", context)
        document = ReceiptHTML(string=html, base_url=None, url_fetcher=fetcher)
        return document.write_pdf(
            stylesheets=[shared.stylesheet(cjk=use_cjk)],
            font_config=shared.font_config,
            cache={},  # per render: see the module docstring
            pdf_identifier=hashlib.sha256(f"receipt:{receipt.number}".encode()).hexdigest()[:32].encode(),
            presentational_hints=False,
            optimize_images=False,  # the QR code, the only image, is already minimal
            hinting=False,
            uncompressed_pdf=False,
        )
