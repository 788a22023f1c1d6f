import pytest
from django.urls import reverse

from tests.factories import ContributionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_pay_now_shows_the_amount_to_its_owner(client):
    contribution = ContributionFactory(months=4)
    client.force_login(contribution.person)
    response = client.get(reverse("payments:pay_now", kwargs={"contribution_id": contribution.pk}))
    assert response.status_code == 200
    assert "RM 77.60" in response.content.decode()


def test_pay_now_is_404_for_someone_else(client):
    contribution = ContributionFactory()
    client.force_login(UserFactory())
    response = client.get(reverse("payments:pay_now", kwargs={"contribution_id": contribution.pk}))
    assert response.status_code == 404
