"""Query budget of the direct AC callback (verify, lock, transition, number the receipt, queue the PDF)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments.models import Payment
from receipts.models import Receipt

pytestmark = pytest.mark.django_db

DIRECT = reverse("payments:fpx_direct")
AC_QUERY_BUDGET = 40  # 35 measured on SQLite (90 before the field-only full_clean on the paid path)


def test_an_approved_direct_ac_stays_within_its_query_budget(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(DIRECT, ac)
    assert response.content == b"OK"
    assert Payment.objects.get(pk=pending_payment.pk).status == Payment.Status.PAID
    assert Receipt.objects.filter(payment=pending_payment).exists()
    assert len(queries) <= AC_QUERY_BUDGET
