"""No mass assignment (ASVS 8.2.3, 15.3.3): extra fields posted to the forms change nothing.

Every form a self-employed person can post is sent, besides its own fields, status, amount, plan (where
the plan is not the form's to choose), person/owner, staff flags, a self-employed code and a coverage
window; the rows written are then checked field by field in the database.
"""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contributions.models import Contribution, Plan, SectorRegistration
from contributions.services import contribution_mark_paid
from payments.models import Payment
from payments.views import ACKNOWLEDGED_SESSION_KEY
from tests.contributions.conftest import document_files, form_data, register_url
from tests.factories import ContributionFactory, RegistrationFactory, UserFactory
from tests.security import figures

pytestmark = pytest.mark.django_db


def hostile_extras(victim, *, with_plan=True) -> dict:
    extras = {
        "status": "active",
        "amount": "1.00",
        "person": victim.pk,
        "person_id": victim.pk,
        "owner": victim.pk,
        "user": victim.pk,
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "on",
        "self_employed_code": "K9999999999X",
        "coverage_start": "2020-01-01 00:00:00",
        "coverage_end": "2099-12-31 23:59:59",
        "paid_at": "2020-01-01 00:00:00",
        "receipt_number": "20260000000001",
    }
    if with_plan:
        extras["plan"] = Plan.objects.get(number=4).pk
    return extras


def assert_user_untouched(user: User, *, code=None):
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    if code is not None:
        assert user.self_employed_code == code


def test_registration_form_ignores_extra_fields(client):
    person, victim = UserFactory(self_employed_code=None), UserFactory()
    client.force_login(person)
    data = {**hostile_extras(victim, with_plan=False), **form_data(), **document_files()}
    response = client.post(register_url(), data)
    figures.add("mass-assignment posts")
    assert response.status_code == 302, response.content.decode()[:1500]
    registration = SectorRegistration.objects.get()
    assert registration.person == person and registration.status == SectorRegistration.Status.SUBMITTED
    contribution = Contribution.objects.get()
    plan = Plan.objects.get(number=2)
    assert contribution.person == person and contribution.status == Contribution.Status.SUBMITTED
    assert contribution.amount == plan.monthly_amount * 4  # from the plan and months, never from "amount"
    assert contribution.coverage_start is None and contribution.coverage_end is None
    assert contribution.paid_at is None
    person.refresh_from_db()
    assert person.self_employed_code != "K9999999999X"
    assert_user_untouched(person)
    assert not SectorRegistration.objects.filter(person=victim).exists()


def _paid_first_contribution(person):
    registration = RegistrationFactory(person=person, status=SectorRegistration.Status.APPROVED)
    first = ContributionFactory(registration=registration, months=1)
    contribution_mark_paid(contribution=first, paid_at=timezone.now() - dt.timedelta(days=20))
    return registration


def test_renewal_form_ignores_extra_fields(client):
    person, victim = UserFactory(), UserFactory()
    registration = _paid_first_contribution(person)
    client.force_login(person)
    data = {**hostile_extras(victim, with_plan=False), "plan": Plan.objects.get(number=2).pk, "months": "3"}
    data["acknowledge"] = "on"
    response = client.post(reverse("contributions:renew", kwargs={"registration_id": registration.pk}), data)
    figures.add("mass-assignment posts")
    assert response.status_code == 302, response.content.decode()[:1500]
    renewal = Contribution.objects.get(registration=registration, status=Contribution.Status.SUBMITTED)
    assert renewal.person == person and renewal.amount == Plan.objects.get(number=2).monthly_amount * 3
    assert renewal.coverage_start is None and renewal.paid_at is None
    assert_user_untouched(person, code=person.self_employed_code)


def test_pay_now_and_bank_forms_ignore_extra_fields(client):
    person, victim = UserFactory(), UserFactory()
    contribution = ContributionFactory(registration=RegistrationFactory(person=person))
    client.force_login(person)
    extras = hostile_extras(victim)
    pay_now = reverse("payments:pay_now", kwargs={"contribution_id": contribution.pk})
    response = client.post(pay_now, {**extras, "acknowledge": "on", "payment_type": "fpx"})
    assert response.status_code == 302, response.content.decode()[:1500]
    session = client.session
    assert contribution.pk in session.get(ACKNOWLEDGED_SESSION_KEY, [])
    bank = reverse("payments:select_bank", kwargs={"contribution_id": contribution.pk})
    response = client.post(bank, {**extras, "bank": "ABB0233", "idempotency_key": str(uuid.uuid4())})
    figures.add("mass-assignment posts", 2)
    assert response.status_code == 302, response.content.decode()[:1500]
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PENDING
    assert payment.amount == contribution.amount and payment.amount != Decimal("1.00")
    assert payment.contribution_id == contribution.pk
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.SUBMITTED and contribution.plan.number == 2
    assert contribution.coverage_start is None
    assert_user_untouched(person, code=person.self_employed_code)


@pytest.mark.parametrize("action", ["language"])
def test_account_settings_ignore_extra_fields(client, action):
    person, victim = UserFactory(), UserFactory()
    code = person.self_employed_code
    client.force_login(person)
    data = {**hostile_extras(victim), "action": action, "language-language": "ms"}
    client.post(reverse("accounts:settings"), data)
    figures.add("mass-assignment posts")
    person.refresh_from_db()
    assert person.language == "ms"  # the form's own field did change
    assert_user_untouched(person, code=code)
    assert person.is_active
    victim.refresh_from_db()
    assert not victim.is_staff
