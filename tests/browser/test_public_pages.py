import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_reads_on_a_phone_without_horizontal_scroll(page, shot, reference_data):
    page.goto("/")
    assert page.locator("h1").first.inner_text() == "Self-Employment Social Security Scheme"
    assert "RM 592.80" in page.content()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360
    shot(page, "home")


def test_language_menu_switches_to_malay_without_javascript(browser, live_server, reference_data):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto("/")
    page.locator("summary", has_text="Languages").click()
    page.get_by_role("button", name="Bahasa Malaysia").click()
    assert page.locator("html").get_attribute("lang") == "ms"
    assert "Pengangkutan Penumpang" in page.content()
    context.close()
