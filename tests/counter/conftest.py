import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.roles import COUNTER_STAFF, SUPERVISOR
from contributions.models import Office
from payments import counter_services
from payments.counter_views import OFFICE_SESSION_KEY
from tests.backoffice.conftest import make_staff
from tests.factories import ContributionFactory, UserFactory

MYT = ZoneInfo("Asia/Kuala_Lumpur")


def at(*args):
    return dt.datetime(*args, tzinfo=MYT)


@pytest.fixture
def office(db):
    return Office.objects.get(code="kuala-krai")


@pytest.fixture
def other_office(db):
    return Office.objects.filter(is_active=True).exclude(code="kuala-krai").first()


@pytest.fixture
def second_counter_staff(db):
    return make_staff(COUNTER_STAFF, full_name="DEVI COUNTER")


@pytest.fixture
def second_supervisor(db):
    return make_staff(SUPERVISOR, full_name="TAN SUPERVISOR")


@pytest.fixture
def person(db):
    return UserFactory(full_name="AHMAD BIN ALI", ic_number="790811087654")


@pytest.fixture
def contribution(person):
    """A submitted 4-month Plan 2 contribution: RM 77.60."""
    return ContributionFactory(registration__person=person, months=4)


def at_counter(client, staff, office=None):
    """Log `staff` in with `office` chosen on the desk."""
    client.force_login(staff)
    if office is not None:
        session = client.session
        session[OFFICE_SESSION_KEY] = office.pk
        session.save()
    return client


@pytest.fixture
def desk_client(client, counter_staff, office):
    return at_counter(client, counter_staff, office)


def cash_form(client, contribution):
    """GET the cash page and return the POST data it carries (the server-issued key included)."""
    response = client.get(reverse("counter:take_cash", kwargs={"contribution_id": contribution.pk}))
    assert response.status_code == 200
    token = response.context["form"]["token"].value()
    return {"token": token, "cash_received": "on"}


def take(contribution, staff, office, *, now=None, key=None):
    import uuid

    return counter_services.cash_payment_take(
        contribution_id=contribution.pk,
        staff=staff,
        office=office,
        idempotency_key=key or str(uuid.uuid4()),
        now=now,
    ).payment
