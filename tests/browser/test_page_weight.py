"""Page weight: the HTML, CSS, JavaScript and fonts of a page, images aside, stay under 150 KB, counted
uncompressed (what travels is smaller still) on the pages people open most on a phone."""

import pytest
from django.conf import settings as django_settings

from tests.factories import ContributionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 150 * 1024


def weigh(page, path) -> dict[str, int]:
    sizes = {}

    def count(response):
        if response.request.resource_type != "image":
            sizes[response.url] = len(response.body())

    page.on("response", count)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", count)
    assert sizes, path
    return sizes


def test_key_pages_weigh_under_150_kb_without_images(page, client, live_server, reference_data):
    person = UserFactory()
    ContributionFactory(registration__person=person, months=4)
    heavy = {}
    for path in ("/", "/accounts/login/"):
        sizes = weigh(page, path)
        if sum(sizes.values()) > LIMIT:
            heavy[path] = sizes
    client.force_login(person)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    for path in ("/self-employed/register/agent/", "/self-employed/contributions/"):
        sizes = weigh(page, path)
        assert page.url.endswith(path)
        if sum(sizes.values()) > LIMIT:
            heavy[path] = sizes
    assert heavy == {}
