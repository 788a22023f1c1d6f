"""Cash voids in the admin: a read-only list for verified superusers, searched by receipt or IC number."""

import pytest
from django.urls import reverse

from payments import counter_services
from payments.models import CashVoid
from tests.counter.conftest import at, take
from tests.factories import ContributionFactory, UserFactory, admin_force_login, make_staff

pytestmark = pytest.mark.django_db

TAKEN = at(2026, 11, 20, 10, 0)
CHANGELIST = "admin:payments_cashvoid_changelist"


@pytest.fixture
def void(person, counter_staff, supervisor, office):
    entry = take(ContributionFactory(registration__person=person), counter_staff, office, now=TAKEN)
    return counter_services.cash_void(
        payment_id=entry.pk, supervisor=supervisor, reason="Keyed twice", now=TAKEN
    )


@pytest.fixture
def other_void(counter_staff, supervisor, other_office):
    person = UserFactory(ic_number="850505145678", full_name="LIM AH KOW")
    entry = take(ContributionFactory(registration__person=person), counter_staff, other_office, now=TAKEN)
    return counter_services.cash_void(
        payment_id=entry.pk, supervisor=supervisor, reason="Wrong plan", now=TAKEN
    )


@pytest.fixture
def admin_client(client):
    admin_force_login(client, make_staff("superuser"))
    return client


def _listed(client, **query) -> set[int]:
    response = client.get(reverse(CHANGELIST), query)
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def test_the_list_shows_the_void_with_a_masked_ic(admin_client, void):
    page = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert void.payment.receipt.number in page
    assert "790811-08-****" in page
    assert "790811087654" not in page
    assert "AHMAD BIN ALI" in page
    assert "Keyed twice" in page
    assert "SITI SUPERVISOR" in page and "CHONG COUNTER" in page


def test_search_by_receipt_number_or_ic_with_or_without_dashes(admin_client, void, other_void):
    assert _listed(admin_client, q=void.payment.receipt.number) == {void.pk}
    assert _listed(admin_client, q="790811087654") == {void.pk}
    assert _listed(admin_client, q="790811-08-7654") == {void.pk}
    assert _listed(admin_client, q="850505 14 5678") == {other_void.pk}
    assert _listed(admin_client, q="900101145567") == set()


def test_filter_by_office(admin_client, void, other_void, office):
    assert _listed(admin_client, payment__office__id__exact=office.pk) == {void.pk}
    assert _listed(admin_client) == {void.pk, other_void.pk}


def test_a_void_cannot_be_added_changed_or_deleted(admin_client, void):
    detail = admin_client.get(reverse("admin:payments_cashvoid_change", args=[void.pk]))
    assert detail.status_code == 200
    assert 'name="reason"' not in detail.content.decode()
    assert "790811087654" not in detail.content.decode()
    assert admin_client.get(reverse("admin:payments_cashvoid_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:payments_cashvoid_change", args=[void.pk]), {"reason": "x"}
        ).status_code
        == 403
    )
    assert (
        admin_client.post(
            reverse("admin:payments_cashvoid_delete", args=[void.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    response = admin_client.post(
        reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [void.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert CashVoid.objects.filter(pk=void.pk, reason="Keyed twice").exists()


def test_supervisors_do_not_get_the_admin(client, void, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse(CHANGELIST))["Location"].startswith("/admin/login/")
