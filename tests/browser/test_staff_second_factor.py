"""The staff second-factor page in Chromium: a wrong code, then the right one, in Malay; axe-clean, no
sideways scrolling on a phone."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import COUNTER_STAFF
from matrix_portal import sms
from tests.backoffice.conftest import make_staff
from tests.browser.conftest import DESKTOP, PHONE, STAFF_PASSWORD, axe_serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_counter_staff_pass_the_sms_step_in_malay(axe_page, live_server, reference_data, shot):
    page = axe_page
    staff = make_staff(COUNTER_STAFF, full_name="CHONG COUNTER", language="ms", mobile="+60123456789")
    page.goto("/counter/reconciliation/")
    page.wait_for_url("**/accounts/login/**")
    page.locator("#id_ic_number").fill(staff.ic_number)  # the log-in pages are in English until then
    page.locator("#id_ic_number").press("Enter")
    page.locator("#id_password").fill(STAFF_PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/accounts/login/second-factor/**")
    expect(page.locator("h1")).to_have_text("Log masuk kakitangan: langkah kedua")
    assert "012-345 6789" in page.locator("main").inner_text()
    assert axe_serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    code = re.search(r"\b(\d{6})\b", sms.MemoryBackend.outbox[-1]["body"]).group(1)
    page.get_by_label("Masukkan kod 6 digit").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Teruskan").click()
    expect(page.locator("#id_token_error")).to_be_visible()
    shot(page, "wrong-code")
    page.wait_for_timeout(1100)  # django-otp's wait after one wrong code
    page.get_by_label("Masukkan kod 6 digit").fill(code)
    page.get_by_role("button", name="Teruskan").click()
    page.wait_for_url("**/counter/reconciliation/")
    expect(page.locator("h1")).to_have_text("Penyesuaian akhir hari")


@pytest.mark.parametrize("language", ["en", "ms", "zh-hans"])
def test_the_second_step_is_accessible_in_every_language_at_both_sizes(
    axe_page, live_server, reference_data, settings, language
):
    """The accessibility sweep's check for the one page it cannot reach with a ready-made session (see
    tests/browser/axe_pages.py): no serious or critical violation, no sideways scrolling on a phone."""
    page = axe_page
    staff = make_staff(COUNTER_STAFF, full_name="CHONG COUNTER", mobile="+60123456789", language=language)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto("/accounts/login/")
    page.locator("#id_ic_number").fill(staff.ic_number)
    page.locator("#id_ic_number").press("Enter")
    page.locator("#id_password").fill(STAFF_PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/accounts/login/second-factor/**")
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.reload()
        assert page.locator("html").get_attribute("lang") == language
        assert axe_serious_violations(page) == [], f"{language} {size}"
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
