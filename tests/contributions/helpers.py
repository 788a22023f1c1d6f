import datetime as dt
from zoneinfo import ZoneInfo

from contributions.services import contribution_mark_paid
from payments.models import Payment
from receipts.services import receipt_issue
from tests.factories import PaymentFactory

MYT = ZoneInfo("Asia/Kuala_Lumpur")


def at(*args):
    return dt.datetime(*args, tzinfo=MYT)


def pay(contribution, paid_at, *, fpx_txn_id="1234567890"):
    """What the payments app does when FPX confirms: a paid attempt, the coverage window, the receipt."""
    payment = PaymentFactory(
        contribution=contribution,
        status=Payment.Status.PAID,
        paid_at=paid_at,
        created_at=paid_at - dt.timedelta(minutes=2),
        fpx_txn_id=fpx_txn_id,
    )
    contribution_mark_paid(contribution=contribution, paid_at=paid_at)
    receipt = receipt_issue(payment=payment)
    contribution.refresh_from_db()
    return payment, receipt
