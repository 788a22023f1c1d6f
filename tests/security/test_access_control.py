"""Object- and function-level access control over EVERY URL pattern of the project (ASVS 8.2.1, 8.2.2).

Each pattern that takes an object id or key is opened, for an object made for one owner, by an anonymous
visitor, the owner, another self-employed person, staff without a role, each staff role and a superuser
with and without a verified second factor. Only the visitors the registry names get the page; everyone
else gets 404/403 (or the log-in page when anonymous), and exactly what they would get for an id that
does not exist, so nobody can tell another person's objects exist.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.security import figures
from tests.security.registry import ANONYMOUS, EXEMPT, PUBLIC, REGISTRY, VISITORS, log_in
from tests.security.urls import admin_routes, project_routes

pytestmark = pytest.mark.django_db

ROUTES = project_routes()
WITH_PARAMS = sorted(route.name for route in ROUTES if route.params)
WITHOUT_PARAMS = sorted(route.name for route in ROUTES if not route.params)
LOG_IN_PAGES = {"/accounts/login/", "/admin/login/"}


def test_every_pattern_with_parameters_is_registered_or_exempt():
    unknown = [name for name in WITH_PARAMS if name not in REGISTRY and name not in EXEMPT]
    assert unknown == [], (
        "URL patterns with parameters must be added to tests/security/registry.py "
        f"(REGISTRY with who may open them, or EXEMPT with the reason): {unknown}"
    )


def test_the_registry_names_only_patterns_that_exist():
    known = {route.name for route in ROUTES}
    assert sorted(set(REGISTRY) - known) == []
    assert sorted(set(EXEMPT) - known) == []
    assert sorted(set(PUBLIC) - known) == []


def _request(client, method, url):
    return client.post(url) if method == "POST" else client.get(url)


def _outcome(response) -> tuple[int, str]:
    location = urlsplit(response.get("Location", "")).path if response.status_code in (301, 302, 303) else ""
    return response.status_code, location


CASES = [(name, visitor) for name in sorted(REGISTRY) for visitor in VISITORS]


@pytest.mark.parametrize(("name", "visitor"), CASES, ids=[f"{n}-{v}" for n, v in CASES])
def test_only_the_owner_and_the_roles_that_need_it_get_the_page(client, name, visitor):
    access = REGISTRY[name]
    owner = UserFactory()
    made = access.make(owner)
    log_in(client, visitor, owner)
    if made.session:
        session = client.session
        session.update(made.session)
        session.save()
    existing = _request(client, access.method, reverse(name, kwargs=made.kwargs))
    missing = _request(client, access.method, reverse(name, kwargs=made.missing))
    figures.add("access-control requests", 2)

    if visitor in access.allowed:
        assert existing.status_code == access.ok_status, existing.content[:500]
        assert missing.status_code == 404
        return
    status, location = _outcome(existing)
    if visitor == ANONYMOUS:
        assert status == 404 or (status == 302 and location in LOG_IN_PAGES), (status, location)
    else:
        # Staff who have not passed the second factor are sent to it before anything else.
        sent_to = {reverse("accounts:staff_home"), reverse("accounts:second_factor")}
        refused = status in (403, 404) or (status == 302 and location in sent_to)
        assert refused, f"{visitor} got {status} {location} from {name}"
    # Someone else's object looks exactly like one that does not exist.
    assert _outcome(missing) == (status, location)


@pytest.mark.parametrize("name", WITHOUT_PARAMS)
def test_pages_without_parameters_are_public_or_send_anonymous_visitors_to_log_in(client, name):
    response = client.get(reverse(name))
    figures.add("access-control requests")
    if name in PUBLIC:
        assert response.status_code < 500
        return
    status, location = _outcome(response)
    assert status == 302 and location in LOG_IN_PAGES, (
        f"{name} answers an anonymous visitor with {status} {location}: require a log-in, "
        "or list it in tests/security/registry.py PUBLIC with the reason"
    )


ADMIN = [
    route for route in admin_routes() if route.route != "admin/login/" and route.route != "admin/logout/"
]


def _admin_url(route) -> str:
    kwargs = {}
    for key, converter in route.pattern.pattern.converters.items():
        kwargs[key] = 1 if type(converter).__name__ == "IntConverter" else "1"
    try:
        return reverse(route.name, kwargs=kwargs)
    except Exception:  # noqa: BLE001 - regex routes (app lists, view on site) are built by hand
        regex = route.route.replace("^", "").replace("$", "")
        return "/" + regex.split("(")[0]


@pytest.mark.parametrize("visitor", [v for v in VISITORS if v != "superuser_with_otp"])
def test_the_admin_needs_staff_with_a_verified_second_factor(client, visitor):
    """Every admin URL (any model, any object) sends everyone but a verified superuser to its log-in."""
    log_in(client, visitor, UserFactory())
    checked = 0
    for route in ADMIN:
        url = _admin_url(route)
        if not url.startswith("/admin/"):
            continue
        response = client.get(url)
        status, location = _outcome(response)
        assert status in (302, 404) and (status == 404 or location in LOG_IN_PAGES), (url, status, location)
        checked += 1
    figures.add("access-control requests", checked)
    assert checked > 50
