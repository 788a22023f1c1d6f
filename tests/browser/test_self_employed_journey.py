"""The whole self-employed journey in one browser session, as a new person lives it: sign up, confirm the SMS
code, activate the account from the e-mail, log in, register a sector with real files, pay by FPX through
the simulator, read PAYMENT DETAILS, download the receipt and read its text, find the contribution in the
history and renew it up to the renewal's payment page. Every step is photographed at 360x740 and 1280x800.
"""

import re
from zoneinfo import ZoneInfo

import pytest

from contributions.models import Contribution
from payments.models import Payment
from receipts.models import Receipt
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.steps import (
    activate_from_email,
    choose_files,
    choose_sector,
    detail,
    download_pdf_text,
    fill_support_services_form,
    fpx_on,
    log_in,
    no_horizontal_scroll,
    open_self_employed_area,
    pay_at_bank,
    sign_up,
)

pytestmark = pytest.mark.django_db(transaction=True)

MYT = ZoneInfo("Asia/Kuala_Lumpur")
IC = "880314105123"
NAME = "TAN AH KOW"
PHRASE = "teh tarik kurang manis"
PASSWORD = "Roti-Canai-Telur-2026"


def receipt_field(text: str, label: str) -> str:
    """The value printed after `label :` on one line of the receipt's text."""
    match = re.search(rf"^\s*{re.escape(label)}\s*:\s*(.+?)\s*$", text, re.MULTILINE)
    assert match, f"{label} not found in:\n{text}"
    return match.group(1)


def test_a_new_person_signs_up_registers_pays_downloads_the_receipt_and_renews(
    page, shot, live_server, reference_data, settings, tmp_path
):
    settings.ROBOT_CHECK_MAX_NUMBER = 20000
    fpx_on(settings, live_server)

    # sign-up -> SMS OTP -> e-mail activation -> log-in (IC, secret phrase, password)
    sign_up(
        page,
        shot,
        ic="880314-10-5123",
        full_name="Tan Ah Kow",
        email="tan.ahkow@example.test",
        mobile="013-456 7890",
    )
    activate_from_email(page, shot, ic=IC, phrase=PHRASE, password=PASSWORD)
    log_in(page, shot, ic=IC, phrase=PHRASE, password=PASSWORD)
    shot(page, "07-select-mode")
    open_self_employed_area(page, shot, "08-dashboard")

    # register a sector with real files
    choose_sector(page, shot, "SUPPORT SERVICES", "09-choose-sector")
    assert page.locator("#id_ic_number").input_value() == IC
    assert page.get_by_label("Gender").input_value() == "male"  # from the IC's last digit
    fill_support_services_form(page, postcode="18000")
    choose_files(page)
    assert page.locator("#amount-output").inner_text() == "RM 65.50"
    no_horizontal_scroll(page)
    shot(page, "10-form-filled")
    page.get_by_role("button", name="Submit & Pay").click()

    contribution = Contribution.objects.get(person__ic_number=IC)
    assert page.url.endswith(f"/payments/contribution/{contribution.pk}/pay/")
    assert contribution.registration.documents.count() == 2
    shot(page, "11-pay-now")

    # pay by FPX through the simulator -> PAYMENT DETAILS
    pay_at_bank(page, shot, contribution, amount="RM 65.50", outcome="Approved (00)", prefix="12-")
    assert page.locator("h1").inner_text() == "PAYMENT DETAILS"
    receipt = Receipt.objects.get(payment__contribution=contribution)
    payment = Payment.objects.get(contribution=contribution)
    assert detail(page, "Status") == "Paid"
    assert detail(page, "Receipt No.") == receipt.number
    assert detail(page, "Payment Method") == "Portal MATRIX - FPX"
    assert detail(page, "Bank") == "Affin Bank"
    assert detail(page, "Contribution Amount") == "RM 65.50"
    assert detail(page, "FPX Transaction ID") == payment.fpx_txn_id
    no_horizontal_scroll(page)
    shot(page, "13-payment-details")

    # the receipt PDF, read back with pdftotext: the seed's fields
    text = download_pdf_text(page, "Download Receipt", tmp_path / "receipt.pdf")
    assert "RESIT RASMI" in text
    assert f"NO. RESIT: {receipt.number}" in text
    assert receipt_field(text, "Nama") == NAME
    assert receipt_field(text, "No. Kad Pengenalan") == IC
    assert receipt_field(text, "Amaun (RM)") == "RM 65.50"
    assert receipt_field(text, "Tempoh Bulan Caruman") == "5 Bulan"
    assert receipt_field(text, "Cara Bayaran") == "Portal MATRIX - FPX"
    start = receipt.coverage_start.astimezone(MYT).strftime("%d-%m-%Y %H:%M:%S")
    end = receipt.coverage_end.astimezone(MYT).strftime("%d-%m-%Y %H:%M:%S")
    assert receipt_field(text, "Tempoh Perlindungan") == f"{start} hingga {end}"
    assert receipt.coverage_start.astimezone(MYT).date() == payment.paid_at.astimezone(MYT).date()

    # the contribution history shows it, paid, with Renew Now
    page.goto("/self-employed/contributions/")
    assert page.get_by_role("heading", name="CONTRIBUTION HISTORY").is_visible()
    row = page.locator("tbody tr").filter(has_text="SUPPORT SERVICES")
    assert row.count() == 1
    row_text = " ".join(row.inner_text().split())
    assert start in row_text and end in row_text
    assert "RM 65.50" in row_text and "Paid" in row_text
    no_horizontal_scroll(page)
    # a card per row on a phone; at 1280 px the whole table, Action column included, fits beside the sidebar
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
    page.set_viewport_size(DESKTOP)
    assert row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth"), "the history table scrolls sideways at 1280"
    page.set_viewport_size(PHONE)
    shot(page, "14-history")

    # Renew Now -> CONTRIBUTION RENEWAL -> the renewal's payment page
    row.get_by_role("link", name="Renew Now").click()
    assert page.get_by_role("heading", name="CONTRIBUTION RENEWAL").is_visible()
    # still covered: the new period starts when this one ends, on the same (locked) plan
    assert page.get_by_text(f"Your coverage ends on {end}.").is_visible()
    assert page.get_by_text("Your plan is locked until").is_visible()
    page.get_by_label("Contribution Months").select_option("7")
    assert page.locator("#amount-output").inner_text() == "RM 91.70"
    page.get_by_label("I hereby certify").check()
    no_horizontal_scroll(page)
    shot(page, "15-renew")
    page.get_by_role("button", name="Submit & Pay").click()

    renewal = Contribution.objects.get(registration=contribution.registration, is_renewal=True)
    assert page.url.endswith(f"/payments/contribution/{renewal.pk}/pay/")
    assert renewal.plan == contribution.plan and renewal.months == 7
    assert "RM 91.70" in page.locator("main").inner_text()
    no_horizontal_scroll(page)
    shot(page, "16-renewal-pay-now")
