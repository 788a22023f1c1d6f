"""Every back office view against every kind of visitor: checked on the server, for each role."""

import pytest
from django.urls import reverse

from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR
from tests.backoffice.conftest import add_document, make_staff
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

ANONYMOUS, PERSON, NO_ROLE, SUPERUSER = "anonymous", "person", "staff_without_role", "superuser"
VISITORS = [ANONYMOUS, PERSON, NO_ROLE, COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR, SUPERUSER]

REVIEWERS = {DOCUMENT_REVIEWER, SUPERUSER}
SUPERVISORS = {SUPERVISOR, SUPERUSER}
VIEWS = {
    "backoffice:home": {COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR, SUPERUSER},
    "backoffice:review_queue": REVIEWERS,
    "backoffice:review": REVIEWERS,
    "backoffice:document": REVIEWERS,
    "backoffice:refunds": SUPERVISORS,
    "backoffice:refunds_csv": SUPERVISORS,
    "backoffice:audit": SUPERVISORS,
    "backoffice:audit_csv": SUPERVISORS,
    "backoffice:ops": SUPERVISORS,
}


def _url(name):
    if name == "backoffice:review":
        return reverse(name, kwargs={"pk": RegistrationFactory().pk})
    if name == "backoffice:document":
        return reverse(name, kwargs={"pk": add_document(RegistrationFactory()).pk})
    return reverse(name)


def _log_in(client, visitor):
    if visitor == ANONYMOUS:
        return
    if visitor == PERSON:
        client.force_login(UserFactory())
        return
    client.force_login(make_staff(None if visitor == NO_ROLE else visitor))


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_each_role_against_each_view(client, name, visitor):
    url = _url(name)
    _log_in(client, visitor)
    response = client.get(url)
    if visitor == ANONYMOUS:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    elif visitor == PERSON:
        assert response.status_code == 404
    elif visitor in VIEWS[name]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_a_counter_staff_member_cannot_open_the_review_queue(client):
    client.force_login(make_staff(COUNTER_STAFF))
    response = client.get(reverse("backoffice:review_queue"))
    assert response.status_code == 403
    assert "Review queue" not in response.content.decode()


def test_a_counter_staff_member_cannot_post_a_decision(client):
    registration = RegistrationFactory()
    client.force_login(make_staff(COUNTER_STAFF))
    response = client.post(
        reverse("backoffice:review", kwargs={"pk": registration.pk}),
        {"action": "approve", "documents_verified": "on"},
    )
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == "submitted"


def test_an_inactive_reviewer_is_refused(client):
    reviewer = make_staff(DOCUMENT_REVIEWER)
    client.force_login(reviewer)
    reviewer.is_active = False
    reviewer.save()
    response = client.get(reverse("backoffice:review_queue"))
    assert response.status_code in {302, 404}


def test_staff_navigation_shows_only_the_role_s_pages(client):
    client.force_login(make_staff(DOCUMENT_REVIEWER))
    body = client.get(reverse("backoffice:home")).content.decode()
    assert reverse("backoffice:review_queue") in body
    assert reverse("backoffice:audit") not in body
    assert reverse("backoffice:refunds") not in body
