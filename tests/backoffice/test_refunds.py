"""The refunds list: what was paid for registrations that were rejected afterwards."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contributions.review import RejectionReason, registration_reject
from matrix_portal.backoffice_selectors import refund_list, refund_total
from matrix_portal.backoffice_views import csv_cell
from matrix_portal.models import AuditEvent
from payments.models import Payment
from tests.backoffice.conftest import paid_payment
from tests.factories import ContributionFactory, PaymentFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _reject(registration, reviewer):
    registration_reject(registration_id=registration.pk, reviewer=reviewer, reason=RejectionReason.ILLEGIBLE)


def test_paid_amounts_of_rejected_registrations_are_listed(reviewer):
    now = timezone.now()
    rejected = RegistrationFactory()
    online = paid_payment(rejected, paid_at=now - dt.timedelta(days=30), months=4)  # RM 77.60
    unpaid = ContributionFactory(registration=rejected, months=2)  # nothing to refund
    PaymentFactory(contribution=unpaid, status=Payment.Status.FAILED)
    kept = RegistrationFactory()
    paid_payment(kept, paid_at=now - dt.timedelta(days=3))
    _reject(rejected, reviewer)

    refunds = refund_list()
    assert list(refunds) == [online]
    assert refund_total(refunds) == Decimal("77.60")


def test_a_voided_receipt_is_not_refunded_twice(reviewer):
    registration = RegistrationFactory()
    payment = paid_payment(registration, paid_at=timezone.now() - dt.timedelta(days=2), method="cash")
    payment.receipt.voided_at = timezone.now()
    payment.receipt.save()
    _reject(registration, reviewer)
    assert list(refund_list()) == []


def test_refunds_page_and_csv(client, reviewer, supervisor):
    person = UserFactory(full_name='=HYPERLINK("http://evil.example")', ic_number="900101145567")
    registration = RegistrationFactory(person=person)
    payment = paid_payment(registration, paid_at=timezone.now() - dt.timedelta(days=1), months=12)
    _reject(registration, reviewer)
    client.force_login(supervisor)

    page = client.get(reverse("backoffice:refunds"))
    body = page.content.decode()
    assert "RM 232.80" in body
    assert "900101-14-****" in body
    assert "900101145567" not in body
    assert payment.receipt.number in body

    response = client.get(reverse("backoffice:refunds_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="refunds.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Rejected at"
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1][2] == "900101-14-5567"
    assert rows[1][-1] == "232.80"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=supervisor).exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+60123", "'+60123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (None, ""),
        (Decimal("1.50"), "1.50"),
    ],
)
def test_csv_cells_cannot_become_formulas(value, expected):
    assert csv_cell(value) == expected


def test_refunds_query_count_is_bounded(client, reviewer, supervisor, django_assert_max_num_queries):
    for _ in range(5):
        registration = RegistrationFactory()
        paid_payment(registration, paid_at=timezone.now() - dt.timedelta(days=1))
        _reject(registration, reviewer)
    client.force_login(supervisor)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("backoffice:refunds"))
    assert len(response.context["payments"]) == 5
