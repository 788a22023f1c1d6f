import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contributions.services import contribution_mark_paid
from payments.models import Payment
from receipts.services import receipt_issue
from tests.factories import ContributionFactory, PaymentFactory, RegistrationFactory, UserFactory

MYT = ZoneInfo("Asia/Kuala_Lumpur")
SEED_PAID_AT = dt.datetime(2019, 12, 27, 16, 35, 8, tzinfo=MYT)


def pay(payment: Payment, paid_at: dt.datetime, fpx_txn_id: str = "1234567890"):
    """Confirm a payment as the payments app does: mark the contribution paid, then issue the receipt."""
    contribution_mark_paid(contribution=payment.contribution, paid_at=paid_at)
    payment.status = Payment.Status.PAID
    payment.paid_at = paid_at
    payment.fpx_txn_id = fpx_txn_id if payment.method == Payment.Method.FPX else ""
    payment.save()
    return receipt_issue(payment=payment)


def seed_receipt(*, name: str = "NURUL ASYIKIN BINTI MOHD ZABRI", person=None):
    """The seed's sample: a 4-month renewal paid 27-12-2019 16:35:08, covered 23-01-2020 to 22-05-2020."""
    person = person or UserFactory(full_name=name, self_employed_code="K0200078756M")
    registration = RegistrationFactory(person=person)
    first = ContributionFactory(registration=registration, months=1)
    contribution_mark_paid(contribution=first, paid_at=dt.datetime(2019, 12, 23, 16, 0, tzinfo=MYT))
    renewal = ContributionFactory(registration=registration, months=4, is_renewal=True)
    return pay(PaymentFactory(contribution=renewal), SEED_PAID_AT)


@pytest.fixture
def receipt(db):
    return seed_receipt()
