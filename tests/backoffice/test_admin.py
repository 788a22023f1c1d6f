"""The Django admin for registrations and contributions: masked lists, filters, search, no back doors."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from contributions.models import SectorRegistration
from matrix_portal.backoffice_views import CSV_DANGEROUS_PREFIXES, csv_cell
from tests.backoffice.conftest import make_staff
from tests.factories import ContributionFactory, RegistrationFactory, UserFactory, admin_force_login


@pytest.mark.django_db
def test_registration_list_masks_the_ic_and_searches_by_full_ic(client):
    registration = RegistrationFactory(person=UserFactory(ic_number="900101145567", full_name="SITI AMINAH"))
    RegistrationFactory()
    admin_force_login(client, make_staff("superuser"))
    url = reverse("admin:contributions_sectorregistration_changelist")
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "SITI AMINAH" in body
    assert "900101-14-****" in body
    assert "900101145567" not in body
    by_ic = client.get(url, {"q": "900101145567"})
    assert list(by_ic.context["cl"].result_list) == [registration]
    filtered = client.get(url, {"status__exact": "approved"})
    assert list(filtered.context["cl"].result_list) == []


@pytest.mark.django_db
def test_a_registration_s_decision_cannot_be_changed_in_the_admin(client):
    registration = RegistrationFactory()
    admin_force_login(client, make_staff("superuser"))
    url = reverse("admin:contributions_sectorregistration_change", args=[registration.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert client.get(reverse("admin:contributions_sectorregistration_add")).status_code == 403
    assert (
        client.get(
            reverse("admin:contributions_sectorregistration_delete", args=[registration.pk])
        ).status_code
        == 403
    )
    registration.refresh_from_db()
    assert registration.status == SectorRegistration.Status.SUBMITTED


@pytest.mark.django_db
def test_contributions_are_read_only_in_the_admin(client):
    contribution = ContributionFactory()
    admin_force_login(client, make_staff("superuser"))
    url = reverse("admin:contributions_contribution_change", args=[contribution.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"status": "active"}).status_code == 403
    contribution.refresh_from_db()
    assert contribution.status == "submitted"


@given(st.text(max_size=30))
def test_no_csv_cell_starts_like_a_formula(text):
    cell = csv_cell(text)
    assert not cell.startswith(CSV_DANGEROUS_PREFIXES)
    assert cell.removeprefix("'") == text or cell == text
