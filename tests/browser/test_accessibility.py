"""axe-core: no serious or critical violation on public pages, at both sizes, in all three languages."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE, axe_serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = [
    "/",
    "/help/",
    "/terms/",
    "/benefits/?plan=4&assessment_percent=20&age_factor=8873&funeral_cost=10",
]


@pytest.mark.parametrize("language", ["en", "ms", "zh-hans"])
def test_public_pages_have_no_serious_accessibility_violations(
    axe_page, live_server, settings, language, reference_data
):
    axe_page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    problems = {}
    for path in PUBLIC_PAGES:
        for size in (PHONE, DESKTOP):
            axe_page.set_viewport_size(size)
            axe_page.goto(path)
            assert axe_page.locator("html").get_attribute("lang") == language
            violations = axe_serious_violations(axe_page)
            if violations:
                problems[f"{path} @ {size['width']}"] = violations
            if size is PHONE:
                assert axe_page.evaluate("document.documentElement.scrollWidth") <= 360, path
    assert problems == {}
