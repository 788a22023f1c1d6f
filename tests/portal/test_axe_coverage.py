"""Every URL pattern of the project is either in the axe-core sweep or exempt from it with a reason.

The list of patterns comes from walking the root resolver, so a page added by any app later makes this
fail until it is added to tests/browser/axe_pages.py (SWEPT, and to the sweep's page list) or exempted.
"""

import pytest
from django.urls import reverse

from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR, ensure_role_groups
from tests.browser.axe_pages import EXEMPT, POST_ONLY, SWEPT
from tests.factories import UserFactory, make_staff
from tests.security.urls import project_routes

ROUTES = {route.name: route for route in project_routes()}


def test_every_url_pattern_is_swept_by_axe_or_exempt_with_a_reason():
    unknown = sorted(name for name in ROUTES if name not in SWEPT and name not in EXEMPT)
    assert unknown == [], (
        "Add these pages to the axe-core sweep (tests/browser/test_every_page_accessibility.py and SWEPT "
        f"in tests/browser/axe_pages.py) or to EXEMPT there with the reason: {unknown}"
    )


def test_the_lists_name_only_patterns_that_exist_and_each_once():
    assert sorted((SWEPT | set(EXEMPT)) - set(ROUTES)) == []
    assert sorted(SWEPT & set(EXEMPT)) == []
    assert all(len(reason) > 20 for reason in EXEMPT.values())


def _sample_kwargs(route) -> dict:
    values = {"int": 987654321, "str": "x" * 32, "slug": "information-technology"}
    return {
        name: values.get(type(conv).__name__.replace("Converter", "").lower(), "x")
        for name, conv in route.pattern.pattern.converters.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, reason in EXEMPT.items() if reason.startswith(POST_ONLY)))
def test_pages_exempt_as_post_only_refuse_a_get(client, name):
    """An exemption "POST only" must be true: a GET there is refused, whoever asks (anonymous or signed in
    with every role, so no log-in redirect hides the answer)."""
    route = ROUTES[name]
    url = reverse(name, kwargs=_sample_kwargs(route))
    assert client.get(url).status_code == 405 or _as_staff_and_person(client, url) == 405, url


def _as_staff_and_person(client, url) -> int:
    staff = make_staff(SUPERVISOR)
    groups = ensure_role_groups()
    staff.groups.add(groups[COUNTER_STAFF], groups[DOCUMENT_REVIEWER])
    client.force_login(staff)
    staff_status = client.get(url).status_code
    client.force_login(UserFactory())
    person_status = client.get(url).status_code
    return 405 if 405 in {staff_status, person_status} else staff_status
