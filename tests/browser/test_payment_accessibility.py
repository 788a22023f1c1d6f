"""axe-core on the payment pages (phone and desktop): no serious or critical violation."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from payments import services
from tests.browser.conftest import DESKTOP, PHONE, axe_serious_violations
from tests.factories import ContributionFactory, PaymentFactory, sector

pytestmark = pytest.mark.django_db(transaction=True)


def test_payment_pages_have_no_serious_accessibility_violations(
    axe_page, live_server, client, reference_data
):
    contribution = ContributionFactory(months=4)
    person = contribution.person
    paid = PaymentFactory(
        contribution=ContributionFactory(registration__person=person, registration__sector=sector("agent")),
        seller_txn_time="20261121154500",
    )
    services.payment_confirm(payment=paid, paid_at=timezone.now() - dt.timedelta(minutes=1), source="direct")
    failed = PaymentFactory(contribution=contribution, seller_txn_time="20261121154500")
    services.payment_fail(payment=failed, code="51", source="direct")
    client.force_login(person)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    axe_page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    def check(name):
        for size in (PHONE, DESKTOP):
            axe_page.set_viewport_size(size)
            violations = axe_serious_violations(axe_page)
            if violations:
                problems[f"{name} @ {size['width']}"] = violations
            if size is PHONE:
                assert axe_page.evaluate("document.documentElement.scrollWidth") <= 360, name

    problems = {}
    axe_page.goto(reverse("payments:pay_now", kwargs={"contribution_id": contribution.pk}))
    axe_page.get_by_role("button", name="Pay with FPX").click()
    check("pay-now-with-error")
    axe_page.get_by_label(
        "I acknowledge that I have read and agree to the above Terms and Conditions"
    ).check()
    axe_page.get_by_role("button", name="Pay with FPX").click()
    axe_page.wait_for_url("**/pay/bank/")
    check("select-bank")
    for name, payment in (("paid", paid), ("failed", failed)):
        axe_page.goto(reverse("payments:details", kwargs={"pk": payment.pk}))
        check(name)
    assert problems == {}
