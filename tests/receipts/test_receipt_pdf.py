"""The RESIT RASMI PDF: seed fields read back with pdftotext, determinism, storage and safe rendering."""

import datetime as dt
import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from django.core.files.storage import default_storage
from PIL import Image
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from payments.models import Payment
from receipts import rendering
from receipts.models import Receipt
from receipts.rendering import ReceiptAssetRefused, ReceiptFetcher, render_receipt_pdf
from receipts.services import receipt_pdf_bytes, receipt_store_pdf
from receipts.tasks import render_receipt_pdf as render_task
from tests.factories import PaymentFactory, queued_work
from tests.receipts.conftest import MYT, SEED_PAID_AT, pay, seed_receipt

REPO = Path(__file__).resolve().parents[2]
A4_POINTS = (595, 842)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_info(data: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def qr_codes_on_page(data: bytes, tmp_path: Path, dpi: int = 80) -> list[str]:
    """The QR codes a reader finds on the page, rasterised as coarsely as a phone photo of a print-out."""
    path = tmp_path / "page.pdf"
    path.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True
    )
    with Image.open(tmp_path / "page.png") as page:
        found = zxingcpp.read_barcodes(page.convert("L"))
    return [code.text for code in found if code.format == zxingcpp.BarcodeFormat.QRCode]


def field(text: str, label: str) -> str:
    """The value printed after `label :` on the same line."""
    match = re.search(rf"^{re.escape(label)}\s*:\s*(.+?)\s*$", text, re.MULTILINE)
    assert match, f"{label} not found in:\n{text}"
    return match.group(1)


def unsaved_receipt(name: str) -> Receipt:
    return Receipt(
        number="20260000000042",
        year=2026,
        sequence=42,
        verification_token="t" * 43,
        ic_number="900101141234",
        self_employed_code="K0200078756M",
        name=name,
        sector_name_ms="TEKNOLOGI MAKLUMAT",
        payment_method_label="Portal MATRIX - FPX",
        plan_yearly_amount=Decimal("232.80"),
        months=4,
        amount=Decimal("77.60"),
        paid_at=SEED_PAID_AT,
        coverage_start=dt.datetime(2020, 1, 23, 0, 0, tzinfo=MYT),
        coverage_end=dt.datetime(2020, 5, 22, 23, 59, 59, tzinfo=MYT),
        bank_name="Affin Bank",
        fpx_txn_id="1234567890",
        issued_at=SEED_PAID_AT,
    )


@pytest.mark.django_db
def test_the_pdf_prints_every_field_of_the_seed_sample(receipt, tmp_path):
    data = receipt_store_pdf(receipt_id=receipt.pk)
    text = pdf_text(data, tmp_path)

    assert "PERKESO" in text
    assert "RESIT RASMI" in text
    assert f"NO. RESIT: {receipt.number}" in text
    assert re.search(r"^\s*ASAL\s*$", text, re.MULTILINE)
    assert field(text, "No. Kad Pengenalan") == receipt.ic_number
    assert field(text, "Kod Pengenalan Orang Berusaha Sendiri") == "K0200078756M"
    assert field(text, "Nama") == "NURUL ASYIKIN BINTI MOHD ZABRI"
    assert field(text, "Jenis Bayaran") == "Pekerjaan Sendiri - TEKNOLOGI MAKLUMAT"
    assert field(text, "Cara Bayaran") == "Portal MATRIX - FPX"
    assert field(text, "Pelan Caruman") == "RM 232.80"
    assert field(text, "Tempoh Bulan Caruman") == "4 Bulan"
    assert field(text, "Amaun (RM)") == "RM 77.60"
    assert field(text, "Tarikh Bayaran") == "27-12-2019"
    assert field(text, "Masa Bayaran") == "16:35:08"
    assert field(text, "Tempoh Perlindungan") == "23-01-2020 00:00:00 hingga 22-05-2020 23:59:59"
    assert field(text, "Nama Bank") == "Affin Bank"
    assert field(text, "No. Transaksi FPX") == "1234567890"
    assert "Resit janaan komputer dan tandatangan tidak diperlukan." in text

    info = pdf_info(data, tmp_path)
    assert info["Pages"].strip() == "1"
    width, height = (round(float(v)) for v in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert (width, height) == A4_POINTS
    assert receipt.number in info["Title"]


def test_colons_and_values_line_up_in_columns_even_when_a_value_wraps(tmp_path):
    name = "MUHAMMAD ABDULLAH BIN ISMAIL BIN ABU BAKAR BIN HAJI OTHMAN BIN SULAIMAN AL-HAFIZ BIN YUSOF"
    path = tmp_path / "rows.pdf"
    path.write_bytes(render_receipt_pdf(unsaved_receipt(name)))
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    words = [
        (float(x), float(y), word)
        for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', bbox)
    ]
    colons = [(x, y) for x, y, word in words if word == ":"]
    assert len(colons) == 13
    assert max(x for x, _ in colons) - min(x for x, _ in colons) < 0.5
    first_values = [
        min(x for x, y, _ in words if abs(y - colon_y) < 1 and x > colon_x) for colon_x, colon_y in colons
    ]
    assert max(first_values) - min(first_values) < 0.5
    wrapped = [x for x, y, word in words if word in ("BIN", "HAJI", "YUSOF") and y > colons[2][1] + 5]
    assert wrapped and abs(min(wrapped) - min(first_values)) < 0.5  # continuation lines start under the value


@pytest.mark.django_db
def test_a_cash_receipt_names_the_office_and_has_no_fpx_lines(tmp_path):
    from contributions.models import Office

    office = Office.objects.get(code="kuala-krai")
    payment = PaymentFactory(method=Payment.Method.CASH, bank=None, office=office)
    receipt = pay(payment, dt.datetime(2026, 3, 2, 10, 15, 0, tzinfo=MYT))
    text = pdf_text(receipt_store_pdf(receipt_id=receipt.pk), tmp_path)
    assert field(text, "Cara Bayaran") == f"{office.name} - Tunai"
    assert "Nama Bank" not in text
    assert "No. Transaksi FPX" not in text


@pytest.mark.django_db
def test_the_qr_code_encodes_the_public_verification_url(receipt, tmp_path):
    url = rendering.verification_url(receipt)
    assert url.endswith(f"/receipts/verify/{receipt.number}/{receipt.verification_token}/")
    with Image.open(io.BytesIO(rendering.qr_png(url))) as image:
        assert [code.text for code in zxingcpp.read_barcodes(image.convert("L"))] == [url]
    assert qr_codes_on_page(receipt_store_pdf(receipt_id=receipt.pk), tmp_path) == [url]


@pytest.mark.parametrize("token", ["t" * 43, "Zx-9_" * 8 + "Q0a", "0" * 43])
def test_the_printed_qr_code_scans_for_any_token(token, tmp_path):
    """The data mask is fixed, not chosen per code: whatever the token, the printed code must still scan."""
    receipt = unsaved_receipt("NURUL ASYIKIN BINTI MOHD ZABRI")
    receipt.verification_token = token
    assert qr_codes_on_page(render_receipt_pdf(receipt), tmp_path) == [rendering.verification_url(receipt)]


@pytest.mark.django_db
def test_stored_pdf_is_rendered_once_and_the_task_is_idempotent(receipt):
    render_task(receipt.pk)
    receipt.refresh_from_db()
    stored_name, digest = receipt.pdf.name, receipt.pdf_sha256
    assert stored_name == f"receipts/2019/{receipt.number}.pdf"
    first_mtime = default_storage.get_modified_time(stored_name)
    render_task(receipt.pk)  # a redelivered task
    receipt.refresh_from_db()
    assert (receipt.pdf.name, receipt.pdf_sha256) == (stored_name, digest)
    assert default_storage.get_modified_time(stored_name) == first_mtime
    assert hashlib.sha256(default_storage.open(stored_name).read()).hexdigest() == digest


@pytest.mark.django_db
def test_issuing_queues_the_render_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        receipt = seed_receipt()
    assert len(queued_work(callbacks)) == 1
    receipt.refresh_from_db()
    assert receipt.pdf and len(receipt.pdf_sha256) == 64


@pytest.mark.django_db
def test_a_missing_file_is_rendered_again_byte_for_byte(receipt):
    first = receipt_store_pdf(receipt_id=receipt.pk)
    receipt.refresh_from_db()
    digest = receipt.pdf_sha256
    default_storage.delete(receipt.pdf.name)

    again = receipt_pdf_bytes(receipt=receipt)

    assert again == first
    receipt.refresh_from_db()
    assert receipt.pdf_sha256 == digest
    assert default_storage.open(receipt.pdf.name).read() == first


@pytest.mark.django_db
def test_a_damaged_file_is_replaced_by_the_same_bytes(receipt):
    first = receipt_store_pdf(receipt_id=receipt.pk)
    receipt.refresh_from_db()
    with default_storage.open(receipt.pdf.name, "wb") as damaged:
        damaged.write(b"%PDF-1.7 truncated")
    assert receipt_pdf_bytes(receipt=receipt) == first


@pytest.mark.parametrize("name", ["TAN AH KOW", "陈美玲 TAN MEI LING"])
def test_rendering_is_the_same_in_a_fresh_process(name):
    """Same row, same bytes: no clock, no random ids, no per-process state leaks into the PDF."""
    script = (
        "import os, sys, django, hashlib;"
        "os.environ['DJANGO_SETTINGS_MODULE']='matrix_portal.settings.test';"
        "django.setup();"
        "from tests.receipts.test_receipt_pdf import unsaved_receipt;"
        "from receipts.rendering import render_receipt_pdf;"
        "print(hashlib.sha256(render_receipt_pdf(unsaved_receipt(sys.argv[1]))).hexdigest())"
    )
    other = subprocess.run(
        [sys.executable, "-c", script, name], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    here = hashlib.sha256(render_receipt_pdf(unsaved_receipt(name))).hexdigest()
    assert here == other


HOSTILE_NAMES = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    "</div><style>@import url(http://127.0.0.1:9/x.css); body{background:url(file:///etc/passwd)}</style>",
    'x" style="background:url(http://127.0.0.1:9/leak)',
    "{{ 7*7 }} {% now 'Y' %}",
    "A" * 10_000,
    "陈美玲 TAN MEI LING",
]


@pytest.fixture
def watched_fetcher(monkeypatch):
    """Record every URL the renderer asks for, and make any network connection fail loudly."""
    requested = []
    original = ReceiptFetcher.fetch

    def fetch(self, url, headers=None):
        requested.append(url)
        return original(self, url, headers)

    def no_network(*args, **kwargs):
        raise AssertionError("the renderer opened a network connection")

    monkeypatch.setattr(ReceiptFetcher, "fetch", fetch)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    return requested


@pytest.mark.parametrize(
    "name", HOSTILE_NAMES, ids=["img", "attachment", "css", "attr", "template", "10k", "cjk"]
)
def test_hostile_names_render_as_plain_text_on_one_page(name, watched_fetcher, tmp_path):
    data = render_receipt_pdf(unsaved_receipt(name))

    assert all(url.startswith("asset:") for url in watched_fetcher), watched_fetcher
    assert "asset:qr/20260000000042.png" in watched_fetcher  # asked every render, never cached
    assert b"/EmbeddedFile" not in data
    text = pdf_text(data, tmp_path)
    assert pdf_info(data, tmp_path)["Pages"].strip() == "1"
    assert "root:" not in text
    flat = re.sub(r"\s+", "", text)
    if len(name) < 200:
        assert re.sub(r"\s+", "", name) in flat  # printed literally, not interpreted
    else:
        assert "A" * 150 in flat and "A" * 151 not in flat  # cut at the column's length
    if "7*7" in name:
        assert "49" not in flat.replace(re.sub(r"\s+", "", name), "")


def test_a_chinese_name_is_drawn_with_the_cjk_font(tmp_path):
    data = render_receipt_pdf(unsaved_receipt("陈美玲"))
    path = tmp_path / "cjk.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    assert "Receipt-CJK" in fonts
    assert "陈美玲" in pdf_text(data, tmp_path)
    latin_only = render_receipt_pdf(unsaved_receipt("TAN MEI LING"))
    path.write_bytes(latin_only)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    assert "Receipt-CJK" not in fonts  # the big CJK font is only loaded when a name needs it


def test_a_chinese_name_adds_little_to_the_file():
    """The CJK font is TrueType: with Noto Sans CJK's CFF outlines, every Chinese name's subset kept tens
    of thousands of empty glyph slots (95 KB per receipt, and 50 ms more per render than a Latin name)."""
    latin = render_receipt_pdf(unsaved_receipt("TAN MEI LING"))
    chinese = render_receipt_pdf(unsaved_receipt("陈美玲 TAN MEI LING"))
    assert len(chinese) < len(latin) + 10_000


def test_a_character_the_cjk_font_lacks_falls_back_to_noto(tmp_path):
    name = "陈龦"  # U+9FA6 is in Noto Sans CJK, not in Droid Sans Fallback
    data = render_receipt_pdf(unsaved_receipt(name))
    assert name in pdf_text(data, tmp_path)
    path = tmp_path / "fallback.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    assert "Receipt-CJK" in fonts and "Noto-Sans-CJK" in fonts


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/font.ttf",
        "data:text/plain,hello",
        "asset:../../etc/passwd",
        "asset:font/unknown",
        "ftp://example.com/x",
    ],
)
def test_the_fetcher_refuses_anything_but_its_own_assets(url):
    fetcher = ReceiptFetcher(assets={"asset:qr.svg": (b"<svg/>", "image/svg+xml")})
    with pytest.raises(ReceiptAssetRefused):
        fetcher.fetch(url)
    assert issubclass(ReceiptAssetRefused, FatalURLFetchingError)


def test_the_stylesheet_is_parsed_and_its_fonts_registered_once_per_process(monkeypatch, watched_fetcher):
    parsed = []
    real_css = rendering.CSS

    def counting_css(*args, **kwargs):
        parsed.append(kwargs.get("string"))
        return real_css(*args, **kwargs)

    monkeypatch.setattr(rendering, "CSS", counting_css)
    rendering.reset_shared_state()
    try:
        for name in ("TAN AH KOW", "NURUL ASYIKIN", "陈美玲", "李小龙"):
            render_receipt_pdf(unsaved_receipt(name))
    finally:
        rendering.reset_shared_state()

    assert len(parsed) == 2  # one stylesheet for Latin names, one with the CJK font, each parsed once
    assert [url for url in watched_fetcher if not url.startswith("asset:qr/")] == [
        "asset:font/latin",
        "asset:font/latin-bold",
        "asset:font/cjk",
    ]


def test_weasyprint_takes_the_receipts_own_user_agent_stylesheet(monkeypatch):
    """The receipt replaces WeasyPrint's HTML5 user-agent stylesheet (a private hook): if an upgrade stops
    asking for it, renders silently get slower, so this says so."""
    asked = []
    real = rendering.ReceiptHTML._ua_stylesheets

    def spy(self, *args, **kwargs):
        sheets = real(self, *args, **kwargs)
        asked.append(sheets)
        return sheets

    monkeypatch.setattr(rendering.ReceiptHTML, "_ua_stylesheets", spy)
    render_receipt_pdf(unsaved_receipt("TAN AH KOW"))
    assert asked == [[rendering.USER_AGENT_STYLESHEET]]


def test_a_document_asking_for_a_file_aborts_the_render():
    fetcher = ReceiptFetcher(assets={})
    html = HTML(string='<img src="file:///etc/passwd">', base_url=None, url_fetcher=fetcher)
    with pytest.raises(ReceiptAssetRefused):
        html.write_pdf()


def test_missing_font_files_fall_back_to_system_fonts(settings, tmp_path):
    settings.RECEIPT_FONT_PATHS = {
        role: str(tmp_path / f"{role}.ttf") for role in ("latin", "latin-bold", "cjk")
    }
    rendering.reset_shared_state()
    try:
        data = render_receipt_pdf(unsaved_receipt("FALLBACK NAME 陈"))
        assert "FALLBACK NAME" in pdf_text(data, tmp_path)
    finally:
        rendering.reset_shared_state()


def test_bench_script_prints_a_median(tmp_path):
    out = subprocess.run(
        [sys.executable, "bench/receipt_render.py", "--renders", "3", "--json"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["renders"] == 3 and result["median_ms"] > 0


@pytest.mark.django_db
def test_a_rolled_back_payment_queues_no_render(django_capture_on_commit_callbacks):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        seed_receipt()
        raise RuntimeError("payment confirmation failed")
    assert callbacks == []
    assert not Receipt.objects.exists()


def test_worker_children_get_an_address_space_ceiling():
    script = (
        "import os, resource, django;"
        "os.environ['DJANGO_SETTINGS_MODULE']='matrix_portal.settings.test';"
        "django.setup();"
        "from receipts.tasks import limit_worker_memory;"
        "limit_worker_memory();"
        "print(resource.getrlimit(resource.RLIMIT_AS)[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "RECEIPT_WORKER_MEMORY_LIMIT_MB": "1536"},
    ).stdout
    assert int(out.split()[-1]) == 1536 * 1024 * 1024


@pytest.mark.django_db(transaction=True)
def test_a_failing_render_does_not_undo_the_payment(reference_data, monkeypatch):
    def broken(receipt):
        raise RuntimeError("fonts unreadable")

    monkeypatch.setattr(rendering, "render_receipt_pdf", broken)
    receipt = seed_receipt()  # the payment commits; the queued render fails and is only logged
    receipt.refresh_from_db()
    assert receipt.pk and not receipt.pdf
    monkeypatch.undo()
    assert receipt_pdf_bytes(receipt=receipt).startswith(b"%PDF-")  # rendered on first download


@pytest.mark.django_db
def test_the_render_task_hands_freed_memory_back_even_when_the_render_fails(receipt, monkeypatch):
    from receipts import services, tasks

    trims = []
    monkeypatch.setattr(tasks, "_malloc_trim", lambda: trims.append)
    render_task(receipt.pk)
    assert trims == [0]

    def broken(**kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(services, "receipt_store_pdf", broken)
    with pytest.raises(RuntimeError):
        render_task(receipt.pk)
    assert trims == [0, 0]


def test_freed_memory_is_handed_back_where_the_c_library_allows_it():
    from receipts import tasks

    tasks.give_back_freed_memory()  # glibc here: a real malloc_trim; elsewhere a no-op
    assert tasks._malloc_trim() is not None or sys.platform != "linux"
