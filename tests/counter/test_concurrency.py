"""Races on PostgreSQL: two (or more) desks taking cash for the same contribution at the same moment."""

import threading
import uuid

import pytest
from django.db import connection

from accounts.roles import COUNTER_STAFF
from contributions.models import Contribution, Office
from matrix_portal.errors import ApplicationError
from payments import counter_services
from payments.models import Payment
from receipts.models import Receipt
from tests.backoffice.conftest import make_staff
from tests.factories import ContributionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(work, count):
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_two_desks_taking_cash_for_one_contribution_record_one_payment(reference_data):
    contribution = ContributionFactory()
    office = Office.objects.get(code="kuala-krai")
    staff = [make_staff(COUNTER_STAFF), make_staff(COUNTER_STAFF)]

    def take(index):
        return counter_services.cash_payment_take(
            contribution_id=contribution.pk,
            staff=staff[index],
            office=office,
            idempotency_key=str(uuid.uuid4()),
        ).payment.pk

    results, errors = run_together(take, 2)
    assert len([r for r in results if r]) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ApplicationError) and errors[0].code == "already_paid"
    assert Payment.objects.filter(contribution=contribution).count() == 1
    assert Receipt.objects.count() == 1
    assert Contribution.objects.get(pk=contribution.pk).status == Contribution.Status.ACTIVE


def test_many_clicks_with_one_key_record_one_payment(reference_data):
    contribution = ContributionFactory()
    office = Office.objects.get(code="kuala-krai")
    staff = make_staff(COUNTER_STAFF)
    key = str(uuid.uuid4())

    def take(index):
        return counter_services.cash_payment_take(
            contribution_id=contribution.pk, staff=staff, office=office, idempotency_key=key
        ).payment.pk

    results, errors = run_together(take, 6)
    assert errors == []
    assert len(set(results)) == 1
    assert Payment.objects.count() == 1
    assert Receipt.objects.count() == 1


def test_renewals_clicked_twice_at_once_open_and_pay_one_period(reference_data):
    first = ContributionFactory(months=1)
    office = Office.objects.get(code="kuala-krai")
    staff = make_staff(COUNTER_STAFF)
    counter_services.cash_payment_take(
        contribution_id=first.pk, staff=staff, office=office, idempotency_key=str(uuid.uuid4())
    )
    key = str(uuid.uuid4())

    def renew(index):
        return counter_services.cash_renewal_take(
            registration_id=first.registration_id,
            plan=first.plan,
            months=2,
            staff=staff,
            office=office,
            idempotency_key=key,
        ).payment.pk

    results, errors = run_together(renew, 4)
    assert errors == []
    assert len(set(results)) == 1
    assert Contribution.objects.filter(registration_id=first.registration_id).count() == 2
    assert Payment.objects.count() == 2
