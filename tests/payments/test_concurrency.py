"""Races on PostgreSQL: the same AC from many threads, and many Pay clicks at once."""

import threading
import time
import uuid

import psycopg
import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from contributions.models import Contribution, ContributionStatusChange
from matrix_portal.errors import ApplicationError
from payments import services
from payments.models import Bank, Payment, PaymentStatusChange
from receipts.models import Receipt
from tests.factories import ContributionFactory, PaymentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


def run_together(work, count=THREADS):
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


def test_the_same_ac_posted_direct_and_indirect_by_many_threads_pays_once(reference_data, sign_ac):
    payment = PaymentFactory(seller_txn_time="20261121154500")
    ac = sign_ac(payment)
    urls = [reverse("payments:fpx_direct"), reverse("payments:fpx_return")]

    def post(index):
        response = Client().post(urls[index % 2], ac)
        return index % 2, response.status_code, response.content

    results, errors = run_together(post)
    assert errors == []
    assert all(content == b"OK" for kind, status, content in results if kind == 0)
    assert all(status == 303 for kind, status, _content in results if kind == 1)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert Receipt.objects.filter(payment=payment).count() == 1
    assert Receipt.objects.count() == 1
    assert PaymentStatusChange.objects.filter(payment=payment, to_status="paid").count() == 1
    contribution = Contribution.objects.get(pk=payment.contribution_id)
    assert contribution.status == Contribution.Status.ACTIVE
    assert ContributionStatusChange.objects.filter(contribution=contribution).count() == 1


def test_many_simultaneous_pay_clicks_with_one_key_make_one_attempt(reference_data):
    contribution = ContributionFactory()
    bank = Bank.objects.get(fpx_id="ABB0233")
    key = str(uuid.uuid4())

    def click(index):
        return services.payment_start_fpx(contribution=contribution, bank=bank, idempotency_key=key).pk

    results, errors = run_together(click, count=8)
    assert errors == []
    assert len(set(results)) == 1
    assert Payment.objects.count() == 1


def test_simultaneous_attempts_with_different_keys_leave_one_pending(reference_data):
    contribution = ContributionFactory()
    bank = Bank.objects.get(fpx_id="ABB0233")

    def click(index):
        return services.payment_start_fpx(
            contribution=contribution, bank=bank, idempotency_key=str(uuid.uuid4())
        ).pk

    results, errors = run_together(click, count=8)
    assert Payment.objects.filter(status=Payment.Status.PENDING).count() == 1
    assert len([pk for pk in results if pk]) == 1
    assert len(errors) == 7 and all(isinstance(error, ApplicationError) for error in errors)
    assert {error.code for error in errors} == {"in_progress"}


def test_the_confirmation_lock_takes_the_contribution_before_the_payment(reference_data):
    """One statement locks both rows (FOR UPDATE OF contribution, payment): the contribution first.

    While another transaction holds the payment, the confirmation waits for it already holding the
    contribution, as every path that locks both does (contribution, then payment), so none can deadlock.
    """
    payment = PaymentFactory(seller_txn_time="20261121154500")
    holder = psycopg.connect(_dsn())
    checker = psycopg.connect(_dsn())
    holder.execute(f'SELECT 1 FROM "{Payment._meta.db_table}" WHERE id = %s FOR UPDATE', [payment.pk])
    started = threading.Event()

    def confirm_lock():
        try:
            with transaction.atomic():
                started.set()
                services.lock_for_confirmation(exchange_order_no=payment.exchange_order_no)
        finally:
            connection.close()

    thread = threading.Thread(target=confirm_lock)
    thread.start()
    started.wait(10)
    try:
        with pytest.raises(psycopg.errors.LockNotAvailable):
            for _attempt in range(50):  # until the waiting statement holds the contribution
                checker.execute(
                    f'SELECT 1 FROM "{Contribution._meta.db_table}" WHERE id = %s FOR UPDATE NOWAIT',
                    [payment.contribution_id],
                )
                checker.rollback()
                time.sleep(0.1)
    finally:
        checker.rollback()
        holder.rollback()
        thread.join(timeout=30)
        holder.close()
        checker.close()
    assert not thread.is_alive()


def _dsn() -> str:
    settings = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
