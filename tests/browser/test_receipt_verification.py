import pytest
from django.urls import reverse

from tests.receipts.conftest import seed_receipt

pytestmark = pytest.mark.django_db(transaction=True)


def test_scanning_a_receipt_qr_code_shows_valid_on_a_phone(page, shot, reference_data):
    receipt = seed_receipt()
    url = reverse("receipts:verify", kwargs={"number": receipt.number, "token": receipt.verification_token})

    page.goto(url)

    assert page.locator("h1").inner_text() == "Receipt verification"
    assert page.locator("#verify-status").inner_text().startswith("VALID")
    assert receipt.number in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "receipt-verification-valid")


def test_a_guessed_token_shows_the_not_found_page(page, reference_data):
    receipt = seed_receipt()
    response = page.goto(reverse("receipts:verify", kwargs={"number": receipt.number, "token": "x" * 43}))
    assert response.status == 404
