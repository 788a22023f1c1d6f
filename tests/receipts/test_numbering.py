import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from contributions.services import contribution_mark_paid
from payments.models import Payment
from receipts.models import Receipt
from receipts.services import receipt_issue, receipt_number
from tests.factories import ContributionFactory, PaymentFactory

MYT = ZoneInfo("Asia/Kuala_Lumpur")


def _pay(payment, paid_at):
    contribution_mark_paid(contribution=payment.contribution, paid_at=paid_at)
    payment.status = Payment.Status.PAID
    payment.paid_at = paid_at
    payment.fpx_txn_id = "1234567890"
    payment.save()
    return receipt_issue(payment=payment)


def test_receipt_number_has_the_seed_shape():
    assert receipt_number(year=2019, sequence=104627) == "20190000104627"


@pytest.mark.django_db
def test_receipt_copies_what_it_prints_and_numbers_in_sequence():
    paid_at = dt.datetime(2019, 12, 27, 16, 35, 8, tzinfo=MYT)
    first = _pay(PaymentFactory(), paid_at)
    second = _pay(PaymentFactory(), paid_at + dt.timedelta(minutes=1))
    assert (first.number, second.number) == ("20190000000001", "20190000000002")
    assert first.sector_name_ms == "TEKNOLOGI MAKLUMAT"
    assert first.payment_method_label == "Portal MATRIX - FPX"
    assert str(first.amount) == "77.60"
    assert str(first.plan_yearly_amount) == "232.80"
    assert first.bank_name == "Affin Bank"
    assert receipt_issue(payment=first.payment) == first  # idempotent


@pytest.mark.django_db
def test_a_rolled_back_payment_leaves_no_gap():
    paid_at = dt.datetime(2026, 3, 1, 9, 0, tzinfo=MYT)
    _pay(PaymentFactory(), paid_at)
    doomed = PaymentFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        _pay(doomed, paid_at)
        raise RuntimeError("confirmation failed after numbering")
    third = _pay(PaymentFactory(), paid_at)
    assert third.number == "20260000000002"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_get_contiguous_numbers(reference_data):
    payments = [PaymentFactory(contribution=ContributionFactory()) for _ in range(12)]
    paid_at = dt.datetime(2026, 5, 5, 10, 0, tzinfo=MYT)
    errors = []

    def worker(payment):
        try:
            with transaction.atomic():
                _pay(Payment.objects.get(pk=payment.pk), paid_at)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(p,)) for p in payments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sequences = sorted(Receipt.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 13))
