"""The counter desk in Chromium: counter staff find a person by IC, take cash and print the receipt."""

import subprocess

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from accounts.roles import COUNTER_STAFF
from contributions.models import Contribution, Office
from payments.models import Payment
from receipts.models import Receipt
from tests.backoffice.conftest import make_staff
from tests.browser.conftest import axe_serious_violations, staff_log_in
from tests.counter.conftest import at_counter, take
from tests.factories import ContributionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff_page(reference_data, page, live_server):
    """Counter staff logged in through the pages, the SMS code of the second step included."""
    staff_log_in(page, make_staff(COUNTER_STAFF, full_name="CHONG COUNTER"))
    return page


def no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_counter_staff_take_cash_and_print_the_tunai_receipt(staff_page, shot, tmp_path):
    page = staff_page
    person = UserFactory(ic_number="790811087654", full_name="AHMAD BIN ALI")
    contribution = ContributionFactory(registration__person=person, months=4)

    page.goto(reverse("counter:desk"))
    page.get_by_label("Your office").select_option(label="Pejabat PERKESO Kuala Krai")
    page.get_by_role("button", name="Use this office").click()
    assert page.get_by_text("You are working at Pejabat PERKESO Kuala Krai.").is_visible()
    page.get_by_label("IC number of the person").fill("790811-08-7654")
    shot(page, "desk")
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**/counter/people/*/")
    assert "790811-08-****" in page.locator("main").inner_text()
    shot(page, "person")
    no_horizontal_scroll(page)

    page.get_by_role("link", name="Take cash").click()
    page.wait_for_url("**/cash/")
    assert page.get_by_test_id("cash-amount").inner_text() == "RM 77.60"
    page.get_by_role("button", name="Record cash and print receipt").click()
    assert page.get_by_text("Tick the box to confirm that you have received the cash.").first.is_visible()
    page.get_by_label("I have received this amount in cash from the person.").check()
    shot(page, "take-cash")
    page.get_by_role("button", name="Record cash and print receipt").dblclick()  # an impatient double click
    page.wait_for_url("**/counter/entries/*/")
    assert Payment.objects.count() == 1
    receipt = Receipt.objects.get()
    assert page.get_by_test_id("receipt-number").inner_text() == receipt.number
    shot(page, "entry")
    no_horizontal_scroll(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Print receipt").click()
    path = tmp_path / "receipt.pdf"
    download_info.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Pejabat PERKESO Kuala Krai - Tunai" in " ".join(text.split())
    assert receipt.number in text
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.ACTIVE

    page.goto(reverse("counter:reconciliation"))
    assert page.get_by_test_id("net-total").inner_text() == "RM 77.60"
    shot(page, "reconciliation")
    no_horizontal_scroll(page)


def test_counter_pages_have_no_serious_accessibility_violations(
    axe_page, live_server, client, reference_data
):
    staff = make_staff(COUNTER_STAFF, full_name="CHONG COUNTER")
    contribution = ContributionFactory(months=4)
    office = Office.objects.get(code="kuala-krai")
    entry = take(ContributionFactory(months=2), staff, office)
    at_counter(client, staff, office)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    axe_page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    pages = [
        reverse("counter:desk") + "?ic=800101-14-0000",
        reverse("counter:walk_in"),
        reverse("counter:person", kwargs={"person_id": contribution.person.pk}),
        reverse("counter:take_cash", kwargs={"contribution_id": contribution.pk}),
        reverse("counter:renew_cash", kwargs={"registration_id": entry.contribution.registration_id}),
        reverse("counter:payment", kwargs={"payment_id": entry.pk}),
        reverse("counter:reconciliation"),
    ]
    problems = {}
    for path in pages:
        axe_page.goto(path)
        violations = axe_serious_violations(axe_page)
        if violations:
            problems[path] = violations
        assert axe_page.evaluate("document.documentElement.scrollWidth") <= 360, path
    assert problems == {}
