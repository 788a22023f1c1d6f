"""Any sequence of gateway results, on any channel, in any order: Paid is final and happens once."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments import services
from payments.models import Payment, PaymentStatusChange
from receipts.models import Receipt
from tests.factories import PaymentFactory
from tests.payments.conftest import ac_for

pytestmark = pytest.mark.django_db

RESULTS = st.lists(
    st.tuples(
        st.sampled_from(["00", "09", "51", "1M", "BC", "76"]), st.sampled_from(["direct", "indirect", "ae"])
    ),
    min_size=1,
    max_size=6,
)


def _is_failure(code: str, channel: str) -> bool:
    return code not in {"00", "09"} and not (code == "76" and channel == "ae")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(results=RESULTS)
def test_any_sequence_of_results_settles_consistently(results, reference_data):
    with transaction.atomic():
        payment = PaymentFactory(seller_txn_time="20261121154500")
        for code, channel in results:
            assert services.fpx_receive_ac(data=ac_for(payment, code=code), channel=channel).accepted
        payment.refresh_from_db()
        if any(code == "00" for code, _channel in results):
            expected = Payment.Status.PAID
        elif any(_is_failure(code, channel) for code, channel in results):
            expected = Payment.Status.FAILED
        else:
            expected = Payment.Status.PENDING
        assert payment.status == expected
        assert Receipt.objects.filter(payment=payment).count() == (
            1 if expected == Payment.Status.PAID else 0
        )
        assert PaymentStatusChange.objects.filter(payment=payment, to_status="paid").count() <= 1
        transaction.set_rollback(True)
