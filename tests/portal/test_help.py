"""The help page: the seeds' step-by-step guide with the portal's own screenshots (static/help/, written by
the browser journeys when UPDATE_HELP_SCREENSHOTS=1)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

HELP = Path(settings.BASE_DIR) / "static" / "help"


@pytest.mark.parametrize("language", ["en", "ms", "zh-hans"])
def test_every_help_screenshot_is_shown_with_alt_text(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get("/help/").content.decode()
    images = re.findall(r'<img src="/static/help/([\w-]+\.png)"[^>]*alt="([^"]+)"', body)
    shown = {name for name, _alt in images}
    assert shown == {path.name for path in HELP.glob("*.png")}
    assert len(images) == len(shown) == 13
    for section in ("signing-up", "logging-in", "registering", "contribution-list"):
        assert f'id="{section}"' in body and f'href="#{section}"' in body


def test_help_screenshots_are_small_phone_pictures():
    from PIL import Image

    for path in HELP.glob("*.png"):
        assert path.stat().st_size < 80 * 1024, path.name
        width, height = Image.open(path).size
        assert width == 360 and 400 <= height <= 600, path.name


def test_the_dev_outbox_link_is_marked_so_help_screenshots_leave_it_out(client, settings):
    """tests/browser/conftest.py hides [data-dev-tool] while it photographs pages for the help guide."""
    settings.DEV_OUTBOX_ENABLED = True
    body = client.get("/terms/").content.decode()
    marked = re.search(r"<span data-dev-tool>(.*?)</span>", body, re.DOTALL)
    assert marked and 'href="/dev/outbox/"' in marked.group(1)
    assert body.count('href="/dev/outbox/"') == 1
