"""A new person signs up, confirms the SMS code, activates the account from the e-mail, logs in (seeing the
secret phrase) and chooses I'M SELF-EMPLOYED, in Chromium at phone size."""

import re

import pytest

from tests.browser.steps import activate_from_email, log_in, no_horizontal_scroll, sign_up

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Nasi-Lemak-Sambal-2026"


def test_sign_up_to_mode_selection(page, shot, reference_data, settings):
    settings.ROBOT_CHECK_MAX_NUMBER = 20000
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    sign_up(
        page,
        shot,
        ic="900101-14-5567",
        full_name="Nur Aina binti Ahmad",
        email="aina.ahmad@example.test",
        mobile="012-345 6789",
        helps=True,
    )
    activate_from_email(
        page, shot, ic="900101145567", phrase="kucing oren comel", password=PASSWORD, helps=True
    )
    log_in(page, shot, ic="900101145567", phrase="kucing oren comel", password=PASSWORD, helps=True)

    # Select Mode
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
