"""The self-employed pages with JavaScript turned off in the browser: sign-up reaches the SMS code page
(without the proof of work, within the no-JS budget), and a person logs in, registers a sector with real
files, finds it in the history and goes from PAY NOW to the FPX hand-off, whose button they press."""

import pytest

from accounts.models import SignupRequest
from contributions.models import Contribution
from payments.models import Payment
from tests.browser.conftest import PHONE
from tests.browser.steps import (
    choose_files,
    choose_sector,
    fill_support_services_form,
    no_horizontal_scroll,
    open_self_employed_area,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(
        java_script_enabled=False, base_url=live_server.url, viewport=PHONE, accept_downloads=True
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


def test_sign_up_without_javascript_reaches_the_sms_code(no_js_page, shot, reference_data):
    page = no_js_page
    page.goto("/accounts/signup/")
    # no tick box that could never be ticked; the way on is explained instead
    assert not page.get_by_label("I'm not a robot").is_visible()
    assert page.get_by_text("You can sign up without JavaScript: press Next.").is_visible()
    page.get_by_label("IC Number").fill("900101-14-5567")
    page.get_by_label("Full Name (as in MyKad)").fill("Nur Aina binti Ahmad")
    page.get_by_label("E-mail").fill("aina.ahmad@example.test")
    page.get_by_label("Mobile Phone Number").fill("012-345 6789")
    page.locator("#id_agree_terms").check()
    no_horizontal_scroll(page)
    shot(page, "01-sign-up")
    page.get_by_role("button", name="Next").click()

    page.wait_for_url("**/accounts/signup/otp/")
    assert page.get_by_text("The 6 - Digit code is sent to your mobile phone number").is_visible()
    assert SignupRequest.objects.get().email == "aina.ahmad@example.test"
    shot(page, "02-otp")


def test_sign_up_without_javascript_is_refused_clearly_once_the_hour_budget_is_spent(
    no_js_page, reference_data, settings
):
    settings.SIGNUP_NO_JS_MAX_PER_HOUR = 0
    page = no_js_page
    page.goto("/accounts/signup/")
    page.get_by_label("IC Number").fill("900101-14-5567")
    page.get_by_label("Full Name (as in MyKad)").fill("Nur Aina binti Ahmad")
    page.get_by_label("E-mail").fill("aina.ahmad@example.test")
    page.get_by_label("Mobile Phone Number").fill("012-345 6789")
    page.locator("#id_agree_terms").check()
    page.get_by_role("button", name="Next").click()
    assert page.get_by_text("Too many people have signed up without JavaScript").first.is_visible()
    assert page.get_by_label("E-mail").input_value() == "aina.ahmad@example.test"
    assert not SignupRequest.objects.exists()


def test_the_self_employed_pages_work_without_javascript(no_js_page, shot, reference_data, settings):
    page = no_js_page
    person = UserFactory(self_employed_code=None, ic_number="751201145482", full_name="LEONG WAI SAN")

    # log in: IC number, then the secret phrase and the password
    page.goto("/accounts/login/")
    page.get_by_label("IC Number (e.g. 790811087654)").fill(person.ic_number)
    page.get_by_role("button", name="Next").click()
    assert page.get_by_test_id("secret-phrase").inner_text() == "blue hibiscus morning"
    page.locator("#id_password").fill("Correct-Horse-Battery-9")
    page.get_by_role("button", name="Log In").click()
    open_self_employed_area(page, shot, "01-dashboard")

    # register a sector: the form submits and the amount is worked out on the server
    choose_sector(page, shot, "SUPPORT SERVICES")
    assert page.locator("#amount-output").inner_text() == "–"
    fill_support_services_form(page, postcode="18000", scripts=False)
    choose_files(page)
    no_horizontal_scroll(page)
    shot(page, "02-form-filled")
    page.get_by_role("button", name="Submit & Pay").click()
    contribution = Contribution.objects.get(person=person)
    page.wait_for_url(f"**/payments/contribution/{contribution.pk}/pay/")
    assert "RM 65.50" in page.locator("main").inner_text()
    assert contribution.registration.documents.count() == 2

    # the history lists it, waiting for payment
    page.goto("/self-employed/contributions/")
    row = page.locator("tbody tr").filter(has_text="SUPPORT SERVICES")
    assert "RM 65.50" in row.inner_text()
    no_horizontal_scroll(page)
    shot(page, "03-history")

    # Pay Now -> terms -> Select Bank -> the FPX hand-off shows its button
    row.get_by_role("link", name="Pay Now").click()
    page.get_by_label("I acknowledge that I have read and agree to the above Terms and Conditions").check()
    page.get_by_role("button", name="Pay with FPX").click()
    page.get_by_label("Select Bank").select_option(label="Affin Bank")
    page.get_by_role("button", name="Pay with FPX").click()
    payment = Payment.objects.get(contribution=contribution)
    page.wait_for_url(f"**/payments/{payment.pk}/fpx/")
    assert page.get_by_role("button", name="Continue to FPX").is_visible()
    assert page.get_by_text("If nothing happens, press the button.").is_visible()
    no_horizontal_scroll(page)
    shot(page, "04-fpx-hand-off")
