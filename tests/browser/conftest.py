"""Browser journeys: Debian's chromium driven by Playwright for Python, against pytest-django's live server.

Screenshots go to test-artifacts/screenshots/ (kept by CI). Outside CI the journeys are skipped when
/usr/bin/chromium is missing; under CI=true a missing browser is an error.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    if not Path(CHROMIUM).exists() and not IN_CI:
        skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
        for item in items:
            if "tests/browser/" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot(request):
    """shot(page, "step-name"): save a screenshot of the current page at the phone and desktop sizes."""
    test_name = re.sub(r"[^a-zA-Z0-9_-]+", "-", request.node.name)

    def take(page, step: str, *, both_sizes: bool = True, help: str = ""):
        if help and UPDATE_HELP:
            help_screenshot(page, help)
        folder = ARTIFACTS / test_name
        folder.mkdir(parents=True, exist_ok=True)
        original = page.viewport_size
        sizes = [("phone", PHONE), ("desktop", DESKTOP)] if both_sizes else [("phone", PHONE)]
        for label, size in sizes:
            page.set_viewport_size(size)
            page.screenshot(path=str(folder / f"{step}-{label}.png"), full_page=True)
        page.set_viewport_size(original)

    return take


HELP_SCREENSHOTS = Path(__file__).resolve().parents[2] / "static" / "help"
UPDATE_HELP = os.environ.get("UPDATE_HELP_SCREENSHOTS", "") == "1"


DEV_TOOLS = "[data-dev-tool]"  # links to development tools (the dev outbox): never in a public guide


def help_screenshot(page, name: str) -> None:
    """The help page's pictures (static/help/NAME.png): the top of the main content at phone size, as a small
    palette PNG, without the links to development tools. Written only with UPDATE_HELP_SCREENSHOTS=1, so
    ordinary runs leave the tree clean."""
    from io import BytesIO

    from PIL import Image

    original = page.viewport_size
    page.set_viewport_size(PHONE)
    show = f"(display) => document.querySelectorAll('{DEV_TOOLS}').forEach(e => e.style.display = display)"
    page.evaluate(show, "none")
    top = page.evaluate("document.querySelector('main').getBoundingClientRect().top + window.scrollY")
    png = page.screenshot(full_page=True, clip={"x": 0, "y": top, "width": PHONE["width"], "height": 600})
    assert page.locator(DEV_TOOLS).evaluate_all("els => els.every(e => !e.checkVisibility())")
    page.evaluate(show, "")
    page.set_viewport_size(original)
    image = Image.open(BytesIO(png)).convert("RGB").quantize(colors=64)
    HELP_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.save(HELP_SCREENSHOTS / f"{name}.png", optimize=True)


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_serious_violations(page) -> list[dict]:
    """Run axe-core (npm package) in the page; return serious and critical violations.

    The page's context must be created with bypass_csp=True so the injected script may run.
    """
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci` (CI does)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def axe_page(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


STAFF_PASSWORD = "Correct-Horse-Battery-9"  # tests.factories.UserFactory's password


def staff_log_in(page, user, *, password: str = STAFF_PASSWORD) -> None:
    """Log a member of staff in through the pages: IC number, password, then the SMS code of the second
    step, read from the test SMS outbox (the live server runs in this process)."""
    from matrix_portal import sms

    page.goto("/accounts/login/")
    page.get_by_label("IC Number (e.g. 790811087654)").fill(user.ic_number)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log In").click()
    page.wait_for_url("**/accounts/login/second-factor/**")
    to = user.mobile.as_e164
    body = next(message["body"] for message in reversed(sms.MemoryBackend.outbox) if message["to"] == to)
    page.get_by_label("Enter 6 - digit code").fill(re.search(r"\b(\d{6})\b", body).group(1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/staff/")
