"""Every page that needs a log-in sends an anonymous visitor to the log-in page, keeping where they were.

The pages are found by walking the whole URL configuration, so pages added later by any app are covered.
"""

import pytest
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

ACCOUNTS_PAGES = {"accounts:mode", "accounts:settings", "accounts:settings_mobile_otp", "accounts:staff_home"}


def _needs_login(callback) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None and issubclass(view_class, LoginRequiredMixin):
        return True
    view = callback
    while view is not None:
        if "_redirect_to_login" in getattr(getattr(view, "__code__", None), "co_freevars", ()):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and _needs_login(pattern.callback):
            yield f"{namespace}{pattern.name}", pattern


def _example_url(name, pattern) -> str:
    converters = pattern.pattern.converters
    kwargs = {key: (1 if type(conv).__name__ == "IntConverter" else "x") for key, conv in converters.items()}
    return reverse(name, kwargs=kwargs)


LOGIN_REQUIRED = sorted(_walk(get_resolver().url_patterns), key=lambda item: item[0])


def test_the_account_pages_are_found():
    assert {name for name, _pattern in LOGIN_REQUIRED} >= ACCOUNTS_PAGES


@pytest.mark.parametrize(("name", "pattern"), LOGIN_REQUIRED, ids=[name for name, _p in LOGIN_REQUIRED])
def test_anonymous_visitors_are_sent_to_log_in(client, name, pattern):
    url = _example_url(name, pattern)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
