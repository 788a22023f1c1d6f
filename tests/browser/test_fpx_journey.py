"""Paying through the FPX simulator in Chromium: approved; pending then re-queried; failed then paid.

The portal and the simulator both run on the live server; the simulator's server-to-server direct AC and
the portal's AE re-query go over real HTTP to it.
"""

import pytest
from django.urls import reverse

from contributions.models import Contribution
from payments.models import Payment
from payments.tasks import requery_pending_payments
from receipts.models import Receipt
from tests.browser import steps
from tests.browser.steps import detail, fpx_on, log_in_as
from tests.factories import ContributionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fpx_on_live_server(settings, live_server):
    return fpx_on(settings, live_server)


@pytest.fixture
def contribution(reference_data, fpx_on_live_server, page, live_server):
    """A submitted 4-month contribution (RM 77.60), its owner logged in in the browser."""
    contribution = ContributionFactory(months=4)
    log_in_as(page, live_server, contribution.person)
    return contribution


def pay_at_bank(page, shot, contribution, **kwargs):
    steps.pay_at_bank(page, shot, contribution, amount="RM 77.60", **kwargs)


def test_approved_payment(page, shot, contribution):
    pay_at_bank(page, shot, contribution, outcome="Approved (00)", helps=True)
    shot(page, "payment-details", help="register-05")
    assert page.locator("h1").inner_text() == "PAYMENT DETAILS"
    assert detail(page, "Status") == "Paid"
    receipt = Receipt.objects.get()
    assert detail(page, "Receipt No.") == receipt.number
    assert detail(page, "Payment Method") == "Portal MATRIX - FPX"
    assert detail(page, "Bank") == "Affin Bank"
    assert detail(page, "Contribution Amount") == "RM 77.60"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.ACTIVE
    payment = Payment.objects.get()
    assert detail(page, "FPX Transaction ID") == payment.fpx_txn_id
    assert payment.status_changes.get(to_status="paid").source == "direct"  # the direct AC came first


def test_pending_payment_is_settled_by_the_periodic_requery(page, shot, contribution, settings):
    pay_at_bank(page, shot, contribution, outcome="Pending (09)")
    assert detail(page, "Status") == "Pending"
    assert page.get_by_text("FPX transaction is in progress. Please retry after 60 minutes.").is_visible()
    shot(page, "pending")
    page.get_by_role("button", name="Check payment status").click()
    assert detail(page, "Status") == "Pending"  # the bank still has not decided

    page.goto(reverse("fpx_simulator:console"))
    page.get_by_role("button", name="Settle as approved (00)").click()
    settings.FPX_REQUERY_AFTER_MINUTES = 0
    assert requery_pending_payments.delay().get() == 1

    page.goto(reverse("payments:details", kwargs={"pk": Payment.objects.get().pk}))
    assert detail(page, "Status") == "Paid"
    assert detail(page, "Receipt No.") == Receipt.objects.get().number
    payment = Payment.objects.get()
    assert payment.status_changes.get(to_status="paid").source == "ae"
    shot(page, "pending-then-paid")


def test_failed_payment_then_another_payment_succeeds(page, shot, contribution):
    pay_at_bank(page, shot, contribution, outcome="Insufficient funds (51)", prefix="first-")
    assert detail(page, "Status") == "Failed"
    assert page.get_by_text("there were not enough funds in the account").is_visible()
    shot(page, "failed")
    page.get_by_role("link", name="Make another payment").click()
    page.wait_for_url("**/pay/")
    assert page.get_by_text(
        "FPX transaction is unsuccessful. Please proceed to make another payment."
    ).is_visible()
    pay_at_bank(page, shot, contribution, outcome="Approved (00)", bank="Maybank2U", prefix="second-")
    assert detail(page, "Status") == "Paid"
    assert detail(page, "Bank") == "Maybank2U"
    failed, paid = Payment.objects.order_by("created_at")
    assert failed.status == Payment.Status.FAILED and paid.status == Payment.Status.PAID
    assert failed.exchange_order_no != paid.exchange_order_no
    assert Receipt.objects.get().payment == paid


def test_without_javascript_the_buyer_presses_continue(
    browser, live_server, reference_data, fpx_on_live_server
):
    contribution = ContributionFactory(months=4)
    context = browser.new_context(
        java_script_enabled=False, base_url=live_server.url, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    log_in_as(page, live_server, contribution.person)
    page.goto(reverse("payments:pay_now", kwargs={"contribution_id": contribution.pk}))
    page.get_by_label("I acknowledge that I have read and agree to the above Terms and Conditions").check()
    page.get_by_role("button", name="Pay with FPX").click()
    page.get_by_label("Select Bank").select_option(label="Affin Bank")
    page.get_by_role("button", name="Pay with FPX").click()
    page.get_by_role("button", name="Continue to FPX").click()
    page.wait_for_url("**/fpx-simulator/bank/*/")
    assert "Affin Bank" in page.locator("h1").inner_text()
    context.close()
