"""A self-employed person registers a sector with real files and reaches PAY NOW; then history, view, renewal.

The log-in pages are another app's, so the journey starts from a session made with force_login and copied
into the browser.
"""

import re

import pytest

from contributions.models import Contribution, Plan
from tests.browser.conftest import axe_serious_violations
from tests.browser.steps import (
    choose_files,
    fill_support_services_form,
    log_in_as,
    no_horizontal_scroll,
)
from tests.contributions.helpers import at, pay
from tests.factories import ContributionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_register_a_sector_with_documents_and_reach_pay_now(page, live_server, shot, reference_data):
    person = UserFactory(self_employed_code=None, ic_number="751201145482", full_name="LEONG WAI SAN")
    log_in_as(page, live_server, person)

    page.goto("/self-employed/")
    assert page.get_by_role("heading", name="REGISTRATION & CONTRIBUTION").is_visible()
    no_horizontal_scroll(page)
    shot(page, "01-dashboard")

    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_label("Sector").select_option(label="SUPPORT SERVICES")
    shot(page, "02-choose-sector", help="register-01")
    page.get_by_role("button", name="Submit").click()
    assert re.search(r"/register/support-services/$", page.url)

    assert page.locator("#id_ic_number").input_value() == "751201145482"
    assert page.get_by_label("Gender").input_value() == "female"
    fill_support_services_form(page, postcode="50400")  # a Kuala Lumpur post code: refused below
    choose_files(page)
    assert page.locator("#amount-output").inner_text() == "RM 65.50"
    shot(page, "03-form-filled", help="register-02")
    page.get_by_role("button", name="Submit & Pay").click()

    # refused: the post code message, everything typed kept, files to choose again
    assert "Post code 50400 is not in Kelantan" in page.content()
    assert page.get_by_text("Please choose your documents again.").is_visible()
    assert page.get_by_label("Address Line 1").input_value() == "No. 61 1st Floor"
    assert page.get_by_label("City").input_value() != ""
    assert page.locator("#amount-output").inner_text() == "RM 65.50"
    no_horizontal_scroll(page)
    shot(page, "04-postcode-refused")

    page.get_by_label("Post Code").fill("18000")
    choose_files(page)
    page.get_by_role("button", name="Submit & Pay").click()

    contribution = Contribution.objects.get(person=person)
    assert page.url.endswith(f"/payments/contribution/{contribution.pk}/pay/")
    assert "RM 65.50" in page.content()
    assert contribution.registration.documents.count() == 2
    shot(page, "05-pay-now", help="register-03")


def test_history_view_and_renewal_once_paid(page, live_server, shot, reference_data):
    person = UserFactory(self_employed_code="K0200078756M", full_name="TESTING")
    registration = RegistrationFactory(person=person)
    first = ContributionFactory(registration=registration, plan=Plan.objects.get(number=2), months=4)
    pay(first, at(2019, 12, 27, 16, 35, 8))
    log_in_as(page, live_server, person)

    page.goto("/self-employed/")
    page.get_by_role("link", name="View", exact=True).click()
    assert page.get_by_role("heading", name="CONTRIBUTION HISTORY").is_visible()
    assert page.get_by_text("27-12-2019 16:35:08").is_visible()
    assert page.locator("td", has_text="INFORMATION TECHNOLOGY").is_visible()
    no_horizontal_scroll(page)
    shot(page, "01-history", help="history-01")

    page.get_by_role("link", name="View", exact=True).first.click()
    for heading in [
        "CONTRIBUTION DETAILS",
        "SELF-EMPLOYED INFORMATION",
        "SECTOR INFORMATION",
        "PAYMENT HISTORY",
    ]:
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_text("K0200078756M").is_visible()
    assert page.get_by_text("27-12-2019 16:35:08 – 26-04-2020 23:59:59").is_visible()
    no_horizontal_scroll(page)
    shot(page, "02-view", help="history-02")

    page.goto("/self-employed/contributions/")
    page.get_by_role("link", name="Renew Now").click()
    assert page.get_by_role("heading", name="CONTRIBUTION RENEWAL").is_visible()
    page.locator("label[for='id_plan_2']").click()
    page.get_by_label("Contribution Months").select_option("12")
    assert page.locator("#amount-output").inner_text() == "RM 232.80"
    page.get_by_label("I hereby certify").check()
    no_horizontal_scroll(page)
    shot(page, "03-renew")
    page.get_by_role("button", name="Submit & Pay").click()

    renewal = Contribution.objects.get(registration=registration, is_renewal=True)
    assert page.url.endswith(f"/payments/contribution/{renewal.pk}/pay/")
    assert renewal.amount == Plan.objects.get(number=2).yearly_amount
    shot(page, "04-pay-now")

    page.goto("/self-employed/")
    assert page.get_by_text("Not covered now").is_visible()
    assert page.locator("svg.timeline rect.timeline__covered").count() == 1
    assert page.locator("svg.timeline rect.timeline__gap").count() == 1
    assert page.get_by_text("A contribution of RM 232.80 is waiting for payment.").is_visible()
    no_horizontal_scroll(page)
    shot(page, "05-dashboard-coverage")


def test_the_registration_form_works_without_javascript(browser, live_server, reference_data):
    person = UserFactory(self_employed_code=None)
    context = browser.new_context(
        java_script_enabled=False, base_url=live_server.url, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    log_in_as(page, live_server, person)
    page.goto("/self-employed/register/information-technology/")
    # all towns are offered, grouped by state
    assert page.locator("#id_town optgroup").count() == 16
    assert page.locator("#amount-output").inner_text() == "–"
    context.close()


def test_self_employed_pages_have_no_serious_accessibility_violations(axe_page, live_server, reference_data):
    person = UserFactory(self_employed_code="K0200078756M")
    registration = RegistrationFactory(person=person)
    first = ContributionFactory(registration=registration, months=1)
    pay(first, at(2019, 12, 19, 16, 26, 12))
    log_in_as(axe_page, live_server, person)
    pages = [
        "/self-employed/",
        "/self-employed/register/",
        "/self-employed/register/support-services/",
        "/self-employed/contributions/",
        f"/self-employed/contributions/{first.pk}/",
        "/self-employed/renew/",
        f"/self-employed/renew/{registration.pk}/",
    ]
    found = {}
    for path in pages:
        axe_page.goto(path)
        violations = axe_serious_violations(axe_page)
        if violations:
            found[path] = violations
    # the registration form with every field refused
    axe_page.goto("/self-employed/register/support-services/")
    axe_page.get_by_role("button", name="Submit & Pay").click()
    violations = axe_serious_violations(axe_page)
    if violations:
        found["register form with errors"] = violations
    assert found == {}
