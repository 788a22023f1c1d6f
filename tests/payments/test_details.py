"""PAYMENT DETAILS, with the seed's figures (INFORMATION TECHNOLOGY, RM 232.80 plan, 4 months, RM 77.60)."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import NoReverseMatch, reverse

from payments import codes, services
from payments.models import Bank, Payment
from tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db

MYT = zoneinfo.ZoneInfo("Asia/Kuala_Lumpur")


def details_url(payment):
    return reverse("payments:details", kwargs={"payment_id": payment.pk})


def field(page: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}:</dt>\s*<dd>(.*?)</dd>", page, re.S)
    assert match, label
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_paid_payment_shows_every_field_of_the_seed(client, pending_payment):
    person = pending_payment.contribution.person
    person.self_employed_code = "K0200078756M"
    person.save()
    paid_at = dt.datetime(2019, 12, 27, 16, 35, 8, tzinfo=MYT)
    payment = services.payment_confirm(
        payment=pending_payment,
        paid_at=paid_at,
        source="direct",
        fpx_txn_id="1234567890",
        debit_auth_code="00",
    )
    client.force_login(person)
    page = client.get(details_url(payment)).content.decode()
    assert "PAYMENT DETAILS" in page
    assert field(page, "Status") == "Paid"
    assert field(page, "Date Time") == "27-12-2019 16:35:08"
    assert field(page, "FPX Transaction ID") == "1234567890"
    assert re.fullmatch(r"2019\d{10}", field(page, "Receipt No."))
    assert field(page, "Payment Method") == "Portal MATRIX - FPX"
    assert field(page, "Contribution Plan") == "RM 232.80"
    assert field(page, "Number of Contribution Months") == "4 Month(s)"
    assert field(page, "Bank") == "Affin Bank"
    assert field(page, "Contribution Amount") == "RM 77.60"
    assert field(page, "Self-Employed Code") == "K0200078756M"
    assert field(page, "Sector") == "INFORMATION TECHNOLOGY"
    assert "Back" in page


def test_download_receipt_appears_once_the_receipts_view_exists(client, pending_payment, settings):
    payment = services.payment_confirm(payment=pending_payment, paid_at=dt.datetime.now(MYT), source="direct")
    client.force_login(payment.contribution.person)
    page = client.get(details_url(payment)).content.decode()
    try:
        download = reverse("receipts:download", args=[payment.receipt.pk])
    except NoReverseMatch:
        assert "Download Receipt" not in page
    else:
        assert download in page and "Download Receipt" in page


def test_pending_payment_says_retry_after_60_minutes(client, pending_payment):
    client.force_login(pending_payment.contribution.person)
    page = client.get(details_url(pending_payment)).content.decode()
    assert "FPX transaction is in progress. Please retry after 60 minutes." in page
    assert field(page, "Status") == "Pending"
    assert field(page, "Receipt No.") == "-"


def test_failed_payment_gives_the_reason_and_offers_another_payment(client, pending_payment):
    services.payment_fail(payment=pending_payment, code="51", source="direct")
    client.force_login(pending_payment.contribution.person)
    page = client.get(details_url(pending_payment)).content.decode()
    assert str(codes.MESSAGE_INSUFFICIENT_FUNDS) in page
    assert "Please proceed to make another payment." in page
    pay_again = reverse("payments:pay_now", kwargs={"contribution_id": pending_payment.contribution_id})
    assert pay_again in page


def test_another_payment_after_a_failure_gets_new_order_numbers(client, pending_payment):
    import uuid

    services.payment_fail(payment=pending_payment, code="1M", source="direct")
    again = services.payment_start_fpx(
        contribution=pending_payment.contribution,
        bank=pending_payment.bank,
        idempotency_key=str(uuid.uuid4()),
    )
    assert again.pk != pending_payment.pk and again.status == Payment.Status.PENDING
    assert again.seller_order_no != pending_payment.seller_order_no
    assert again.exchange_order_no != pending_payment.exchange_order_no


def test_check_status_button_sends_an_ae_and_applies_the_answer(client, fpx_transport):
    import uuid

    from tests.factories import ContributionFactory

    contribution = ContributionFactory()
    payment = services.payment_start_fpx(
        contribution=contribution, bank=Bank.objects.get(fpx_id="ABB0233"), idempotency_key=str(uuid.uuid4())
    )
    client.force_login(contribution.person)
    response = client.post(reverse("payments:check_status", kwargs={"payment_id": payment.pk}))
    assert response["Location"] == details_url(payment)
    assert [path for path, _data in fpx_transport.calls] == [reverse("fpx_simulator:txn_status")]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and payment.debit_auth_code == "76"  # too young to fail


def test_details_page_query_budget(client, pending_payment, django_assert_max_num_queries):
    client.force_login(pending_payment.contribution.person)
    with django_assert_max_num_queries(10):
        assert client.get(details_url(pending_payment)).status_code == 200


def test_another_persons_payment_is_404(client):
    mine, theirs = PaymentFactory(), PaymentFactory()
    client.force_login(mine.contribution.person)
    assert client.get(details_url(mine)).status_code == 200
    assert client.get(details_url(theirs)).status_code == 404
    assert client.get(reverse("payments:details", kwargs={"payment_id": 999999})).status_code == 404
