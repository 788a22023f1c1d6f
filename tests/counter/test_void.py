"""Voiding a same-day cash entry: supervisors only, never their own entry, a row of its own."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from contributions.models import Contribution
from contributions.services import covered_until
from matrix_portal.models import AuditEvent
from payments import counter_services
from payments.models import CashVoid, Payment
from receipts.models import Receipt
from tests.counter.conftest import at, at_counter, take
from tests.factories import ContributionFactory, PaymentFactory

pytestmark = pytest.mark.django_db

TAKEN = at(2026, 11, 20, 9, 30)


@pytest.fixture
def entry(contribution, counter_staff, office):
    return take(contribution, counter_staff, office, now=TAKEN)


def void_url(payment):
    return reverse("counter:void", kwargs={"payment_id": payment.pk})


def test_a_supervisor_voids_a_same_day_entry(client, entry, supervisor, office):
    with time_machine.travel(at(2026, 11, 20, 17, 45), tick=False):
        at_counter(client, supervisor, office)
        page = client.get(reverse("counter:payment", kwargs={"payment_id": entry.pk})).content.decode()
        assert "Void entry" in page
        response = client.post(void_url(entry), {"reason": "  Wrong   person's IC keyed in "})
    assert response.status_code == 302
    void = CashVoid.objects.get(payment=entry)
    assert void.voided_by == supervisor
    assert void.reason == "Wrong person's IC keyed in"
    entry.refresh_from_db()
    assert entry.status == Payment.Status.PAID  # never edited: the void is a row of its own
    assert entry.amount == entry.contribution.amount
    contribution = Contribution.objects.get(pk=entry.contribution_id)
    assert contribution.status == Contribution.Status.REJECTED
    assert contribution.coverage_cancelled_at == at(2026, 11, 20, 17, 45)
    assert covered_until(registration_id=contribution.registration_id) is None
    receipt = Receipt.objects.get(payment=entry)
    assert receipt.voided_at == at(2026, 11, 20, 17, 45)
    assert receipt.void_reason == "Wrong person's IC keyed in"
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECEIPT_VOIDED)
    assert event.actor == supervisor
    assert event.before["contribution_status"] == "active"
    assert event.after["contribution_status"] == "rejected"


def test_the_voided_receipt_shows_void_when_verified(client, entry, supervisor):
    counter_services.cash_void(payment_id=entry.pk, supervisor=supervisor, reason="Keyed twice", now=TAKEN)
    receipt = Receipt.objects.get(payment=entry)
    url = reverse("receipts:verify", kwargs={"number": receipt.number, "token": receipt.verification_token})
    page = client.get(url).content.decode()
    assert "VOID" in page
    assert "VALID" not in page.replace("VOID", "")


def test_after_a_void_the_sector_can_be_paid_again_with_any_plan(
    client, entry, supervisor, counter_staff, office
):
    counter_services.cash_void(payment_id=entry.pk, supervisor=supervisor, reason="Wrong plan", now=TAKEN)
    with time_machine.travel(at(2026, 11, 20, 10, 0), tick=False):
        at_counter(client, counter_staff, office)
        response = client.get(
            reverse("counter:renew_cash", kwargs={"registration_id": entry.contribution.registration_id})
        )
    assert "plan" in response.context["form"].fields  # the voided entry's plan lock is gone


def test_a_void_the_next_day_is_refused(entry, supervisor):
    with pytest.raises(counter_services.ApplicationError) as error:
        counter_services.cash_void(
            payment_id=entry.pk, supervisor=supervisor, reason="late", now=at(2026, 11, 21, 0, 0, 1)
        )
    assert error.value.message == str(counter_services.MESSAGE_VOID_NOT_SAME_DAY)
    assert not CashVoid.objects.exists()
    assert Receipt.objects.get(payment=entry).voided_at is None


def test_same_day_is_the_malaysian_day(contribution, counter_staff, office, supervisor):
    # 23:50 MYT on the 20th is 15:50 UTC; 00:10 MYT on the 21st is 16:10 UTC the 20th, a UTC same day.
    payment = take(contribution, counter_staff, office, now=at(2026, 11, 20, 23, 50))
    with pytest.raises(counter_services.ApplicationError):
        counter_services.cash_void(
            payment_id=payment.pk, supervisor=supervisor, reason="x", now=at(2026, 11, 21, 0, 10)
        )


def test_the_next_day_page_explains_instead_of_offering_the_form(client, entry, supervisor, office):
    with time_machine.travel(at(2026, 11, 21, 9, 0), tick=False):
        at_counter(client, supervisor, office)
        page = client.get(reverse("counter:payment", kwargs={"payment_id": entry.pk})).content.decode()
        response = client.post(void_url(entry), {"reason": "late"})
    assert "Only a cash entry taken today can be voided" in page
    assert 'name="reason"' not in page
    assert response.status_code == 409
    assert not CashVoid.objects.exists()


def test_counter_staff_cannot_void(client, entry, second_counter_staff, office):
    with time_machine.travel(at(2026, 11, 20, 12, 0), tick=False):
        at_counter(client, second_counter_staff, office)
        page = client.get(reverse("counter:payment", kwargs={"payment_id": entry.pk})).content.decode()
        response = client.post(void_url(entry), {"reason": "mine"})
    assert "Void entry" not in page
    assert response.status_code == 404
    assert not CashVoid.objects.exists()


def test_a_supervisor_cannot_void_their_own_entry(client, contribution, supervisor, office):
    payment = take(contribution, supervisor, office, now=TAKEN)
    with time_machine.travel(at(2026, 11, 20, 12, 0), tick=False):
        at_counter(client, supervisor, office)
        page = client.get(reverse("counter:payment", kwargs={"payment_id": payment.pk})).content.decode()
        response = client.post(void_url(payment), {"reason": "my own"})
    assert "You took this cash entry yourself" in page
    assert response.status_code == 409
    assert not CashVoid.objects.exists()


def test_another_supervisor_can_void_a_supervisors_entry(contribution, supervisor, second_supervisor, office):
    payment = take(contribution, supervisor, office, now=TAKEN)
    counter_services.cash_void(payment_id=payment.pk, supervisor=second_supervisor, reason="x", now=TAKEN)
    assert CashVoid.objects.get().voided_by == second_supervisor


def test_a_void_needs_a_reason(client, entry, supervisor, office):
    with time_machine.travel(at(2026, 11, 20, 12, 0), tick=False):
        at_counter(client, supervisor, office)
        for reason in ["", "   "]:
            response = client.post(void_url(entry), {"reason": reason})
            assert response.status_code == 409
            assert "Give the reason for voiding this entry." in response.content.decode()
    with pytest.raises(counter_services.ApplicationError):
        counter_services.cash_void(payment_id=entry.pk, supervisor=supervisor, reason=" ", now=TAKEN)
    assert not CashVoid.objects.exists()


def test_voiding_twice_is_refused(entry, supervisor, second_supervisor):
    counter_services.cash_void(payment_id=entry.pk, supervisor=supervisor, reason="once", now=TAKEN)
    with pytest.raises(counter_services.ApplicationError) as error:
        counter_services.cash_void(
            payment_id=entry.pk, supervisor=second_supervisor, reason="twice", now=TAKEN
        )
    assert error.value.message == str(counter_services.MESSAGE_ALREADY_VOIDED)
    assert CashVoid.objects.count() == 1


def test_an_fpx_payment_is_not_a_cash_entry(client, supervisor, office):
    payment = PaymentFactory()
    at_counter(client, supervisor, office)
    assert client.post(void_url(payment), {"reason": "x"}).status_code == 404
    assert client.get(reverse("counter:payment", kwargs={"payment_id": payment.pk})).status_code == 404


def test_an_entry_with_a_later_paid_renewal_cannot_be_voided_first(entry, counter_staff, office, supervisor):
    import uuid

    counter_services.cash_renewal_take(
        registration_id=entry.contribution.registration_id,
        plan=entry.contribution.plan,
        months=1,
        staff=counter_staff,
        office=office,
        idempotency_key=str(uuid.uuid4()),
        now=TAKEN + dt.timedelta(hours=1),
    )
    with pytest.raises(counter_services.ApplicationError) as error:
        counter_services.cash_void(payment_id=entry.pk, supervisor=supervisor, reason="x", now=TAKEN)
    assert error.value.code == "later_paid"


def test_voiding_one_entry_leaves_other_contributions_alone(entry, supervisor, counter_staff, office):
    other = take(ContributionFactory(), counter_staff, office, now=TAKEN)
    counter_services.cash_void(payment_id=entry.pk, supervisor=supervisor, reason="x", now=TAKEN)
    other.contribution.refresh_from_db()
    assert other.contribution.status == Contribution.Status.ACTIVE
    assert other.contribution.coverage_cancelled_at is None
