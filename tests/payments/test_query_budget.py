"""Query budget of the direct AC callback (verify, lock, transition, number the receipt, queue the PDF)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payments.models import GatewayMessage, Payment
from receipts.models import Receipt, ReceiptCounter

pytestmark = pytest.mark.django_db

DIRECT = reverse("payments:fpx_direct")
# 12 inside the test's transaction: the audit row's INSERT, then the savepoint pair (BEGIN/COMMIT in
# production) around one statement that locks the contribution and the payment, the two ledger rows and the
# two status updates, one read of the coverage and plan lock, the receipt number and the receipt, and the
# audit row's outcome. 15 before the locks, the coverage reads and the outcome were combined; 36 before the
# confirmation stopped re-locking its rows in nested savepoints.
AC_QUERY_BUDGET = 12


def statements(queries) -> list[str]:
    return [query["sql"].split(" (", 1)[0].split(" WHERE ", 1)[0][:60] for query in queries]


def test_an_approved_direct_ac_stays_within_its_query_budget(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(DIRECT, ac)
    assert response.content == b"OK"
    assert Payment.objects.get(pk=pending_payment.pk).status == Payment.Status.PAID
    assert Receipt.objects.filter(payment=pending_payment).exists()
    assert len(queries) <= AC_QUERY_BUDGET, statements(queries)


def test_the_years_first_and_a_later_receipt_cost_the_same_queries(client, pending_payment, sign_ac):
    """The counter's row is created or incremented by the one statement that takes the number."""
    ReceiptCounter.objects.create(year=timezone.localtime().year, last=41)
    with CaptureQueriesContext(connection) as queries:
        client.post(DIRECT, sign_ac(pending_payment))
    assert Receipt.objects.get(payment=pending_payment).sequence == 42
    assert len(queries) <= AC_QUERY_BUDGET
    opened = [q for q in queries if q["sql"].startswith("SAVEPOINT")]
    assert len(opened) == 1  # the AC's own transaction; no nested savepoints


def test_the_audit_row_is_stored_before_the_transaction_and_completed_inside_it(
    client, pending_payment, sign_ac
):
    with CaptureQueriesContext(connection) as queries:
        client.post(DIRECT, sign_ac(pending_payment))
    sql = [query["sql"] for query in queries]
    table = GatewayMessage._meta.db_table
    opened = next(i for i, text in enumerate(sql) if text.startswith("SAVEPOINT"))
    released = next(i for i, text in enumerate(sql) if text.startswith("RELEASE SAVEPOINT"))
    assert sql[0].startswith(f'INSERT INTO "{table}"') and opened == 1
    updates = [i for i, text in enumerate(sql) if text.startswith(f'UPDATE "{table}"')]
    assert len(updates) == 1 and opened < updates[0] < released
    assert GatewayMessage.objects.get(direction="in").note == "approved"


def test_a_message_that_fails_verification_costs_one_insert(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment)
    ac["fpx_checkSum"] = "00" + ac["fpx_checkSum"][2:]
    with CaptureQueriesContext(connection) as queries:
        response = client.post(DIRECT, ac)
    assert response.status_code == 400
    assert len(queries) == 1 and queries[0]["sql"].startswith("INSERT INTO")
    assert GatewayMessage.objects.get(direction="in").note == "signature did not verify"
