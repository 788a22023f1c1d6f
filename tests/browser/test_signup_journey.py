"""A new person signs up, confirms the SMS code, activates the account from the e-mail, logs in (seeing the
secret phrase) and chooses I'M SELF-EMPLOYED, in Chromium at phone size."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from matrix_portal import sms

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Nasi-Lemak-Sambal-2026"


def no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_sign_up_to_mode_selection(page, shot, reference_data, settings):
    settings.ROBOT_CHECK_MAX_NUMBER = 20000
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    # 01. Log In page -> "New to site? Create MATRIX account"
    page.goto("/accounts/login/")
    shot(page, "01-login", help="signup-01")
    page.get_by_role("link", name="New to site? Create MATRIX account").click()

    # 02. Sign Up page
    page.get_by_label("IC Number").fill("900101-14-5567")
    page.get_by_label("Full Name (as in MyKad)").fill("Nur Aina binti Ahmad")
    page.get_by_label("E-mail").fill("aina.ahmad@example.test")
    page.get_by_label("Mobile Phone Number").fill("012-345 6789")
    page.locator("#id_agree_terms").check()
    page.get_by_label("I'm not a robot").check()
    page.get_by_text("Verified", exact=True).wait_for()
    no_horizontal_scroll(page)
    shot(page, "02-sign-up", help="signup-02")
    page.get_by_role("button", name="Next").click()

    # 03. OTP by SMS, read from the SMS backend
    page.get_by_text("The 6 - Digit code is sent to your mobile phone number").wait_for()
    expect(page.get_by_role("button", name="Resend OTP")).to_be_disabled()  # the countdown runs
    expect(page.get_by_text(re.compile(r"You can ask for a new code in \d+ seconds"))).to_be_visible()
    code = re.search(r"Your OTP requested is (\d{6})", sms.MemoryBackend.outbox[-1]["body"]).group(1)
    page.get_by_label("Enter 6 - digit code").fill(code)
    shot(page, "03-otp", help="signup-03")
    page.get_by_role("button", name="Continue").click()

    # 04. Sign Up Successful
    page.get_by_role("heading", name="Sign Up Successful").wait_for()
    assert "A verification email has been sent to your email." in page.content()
    shot(page, "04-sign-up-successful")

    # 05. The activation e-mail; 06. Account Activation
    message = mail.outbox[-1]
    assert message.subject.startswith("Pengaktifan Akaun Sistem Online PERKESO")
    link = re.search(r"https?://\S+/accounts/activate/[0-9a-f]{64}/", message.body).group(0)
    page.goto("/accounts/" + link.split("/accounts/", 1)[1])
    assert page.get_by_label("IC Number").input_value() == "900101145567"
    page.get_by_label("Secret Phrase").fill("kucing oren comel")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    shot(page, "05-activation", help="signup-04")
    page.get_by_role("button", name="Next").click()

    # 07. Log In with the IC number
    page.get_by_text("Success! Your MATRIX account is active.").wait_for()
    page.get_by_label("IC Number (e.g. 790811087654)").fill("900101145567")
    page.get_by_role("button", name="Next").click()

    # 08. The secret phrase, then the password
    assert page.get_by_test_id("secret-phrase").inner_text() == "kucing oren comel"
    shot(page, "06-phrase-and-password", help="login-02")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log In").click()

    # Select Mode
    page.get_by_role("heading", name="One Account. All of MATRIX").wait_for()
    assert "Unavailable" in page.content()
    no_horizontal_scroll(page)
    shot(page, "07-select-mode", help="login-03")
    page.get_by_role("link", name=re.compile("I'M SELF-EMPLOYED")).click()
    page.wait_for_url(re.compile(r"/self-employed/"))
    shot(page, "08-self-employed")
    assert csp_errors == []


def test_account_pages_have_no_serious_accessibility_violations(axe_page, reference_data):
    from tests.browser.conftest import DESKTOP, PHONE, axe_serious_violations

    problems = {}
    for path, submit in [
        ("/accounts/login/", "Next"),
        ("/accounts/signup/", "Next"),
        ("/accounts/forgot-password/", "Next"),
    ]:
        for size in (PHONE, DESKTOP):
            axe_page.set_viewport_size(size)
            axe_page.goto(path)
            for state in ("empty", "errors"):
                if state == "errors":
                    axe_page.get_by_role("button", name=submit).click()  # an empty form: every error shown
                violations = axe_serious_violations(axe_page)
                if violations:
                    problems[f"{path} {state} @ {size['width']}"] = violations
    assert problems == {}
