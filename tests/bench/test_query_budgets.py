"""Query budgets (docs/benchmarks.md) for the bench's bare view and the public pages on main.

The pages of the self-employed area, the receipt download and the direct AC have their budgets in their own
apps' tests; these cover the rows of the bench table that belong to no app.
"""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BUDGET = 12


@pytest.fixture
def bare_view_routed(settings):
    settings.ROOT_URLCONF = "bench.urls"


def test_bare_view_answers_ok_without_touching_the_database(
    client, bare_view_routed, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(reverse("bench_bare"))
    assert response.status_code == 200
    assert response.content == b"ok"
    # the full middleware stack ran: security headers are there
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"


def test_bare_view_is_not_routed_by_the_portal_urls(client):
    assert client.get("/bench/bare/").status_code == 404


def test_home_page_within_budget_anonymous(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_home_page_within_budget_logged_in(client, django_assert_max_num_queries):
    """Logged in, the session and the account are read and the session is saved: still within budget."""
    client.force_login(UserFactory())
    client.get(reverse("home"))
    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("home"))
    assert response.status_code == 200
