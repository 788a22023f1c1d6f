"""Query budget of the direct AC callback (verify, lock, transition, number the receipt, queue the PDF)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payments.models import Payment
from receipts.models import Receipt, ReceiptCounter

pytestmark = pytest.mark.django_db

DIRECT = reverse("payments:fpx_direct")
# 15 on PostgreSQL inside the test's transaction (13 statements plus the savepoint pair that is BEGIN/COMMIT
# in production); 36 before the confirmation stopped re-locking its rows in nested savepoints.
AC_QUERY_BUDGET = 15


def test_an_approved_direct_ac_stays_within_its_query_budget(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(DIRECT, ac)
    assert response.content == b"OK"
    assert Payment.objects.get(pk=pending_payment.pk).status == Payment.Status.PAID
    assert Receipt.objects.filter(payment=pending_payment).exists()
    assert len(queries) <= AC_QUERY_BUDGET


def test_the_years_first_and_a_later_receipt_cost_the_same_queries(client, pending_payment, sign_ac):
    """The counter's row is created or incremented by the one statement that takes the number."""
    ReceiptCounter.objects.create(year=timezone.localtime().year, last=41)
    with CaptureQueriesContext(connection) as queries:
        client.post(DIRECT, sign_ac(pending_payment))
    assert Receipt.objects.get(payment=pending_payment).sequence == 42
    assert len(queries) <= AC_QUERY_BUDGET
    opened = [q for q in queries if q["sql"].startswith("SAVEPOINT")]
    assert len(opened) == 1  # the AC's own transaction; no nested savepoints
