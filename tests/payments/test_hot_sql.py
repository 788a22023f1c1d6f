"""The direct AC's statements as SQL (matrix_portal/sql.py): the rows the ORM would give, prepared once."""

import pytest
from django.db import connection
from django.urls import reverse

from contributions.models import Contribution, ContributionStatusChange
from payments import services
from payments.models import GatewayMessage, Payment, PaymentStatusChange
from receipts.models import Receipt
from tests.factories import PaymentFactory

DIRECT = reverse("payments:fpx_direct")


def _values(instance, names=None) -> dict:
    fields = instance._meta.concrete_fields
    return {
        field.attname: getattr(instance, field.attname)
        for field in fields
        if not names or field.name in names
    }


@pytest.mark.django_db
def test_the_locking_read_gives_what_the_orm_reads(pending_payment):
    locked = services.lock_for_confirmation(exchange_order_no=pending_payment.exchange_order_no)
    by_pk = services.lock_for_confirmation(pk=pending_payment.pk)
    payment = Payment.objects.select_related("contribution__person", "contribution__sector", "bank").get(
        pk=pending_payment.pk
    )
    contribution = payment.contribution
    for found in (locked, by_pk):
        assert _values(found) == _values(payment)
        assert _values(found.contribution) == _values(contribution)
        assert type(found.amount) is type(payment.amount) and found.created_at.tzinfo is not None
        person = found.contribution.person
        assert (person.pk, person.ic_number, person.self_employed_code, person.full_name) == (
            contribution.person.pk,
            contribution.person.ic_number,
            contribution.person.self_employed_code,
            contribution.person.full_name,
        )
        assert found.contribution.sector.name_ms == contribution.sector.name_ms
        assert found.contribution.plan.yearly_amount == contribution.plan.yearly_amount
        assert found.bank.name == payment.bank.name


@pytest.mark.django_db
def test_an_unknown_order_or_a_cash_payment_is_not_found(pending_payment):
    with pytest.raises(Payment.DoesNotExist):
        services.lock_for_confirmation(exchange_order_no="nothing like it")
    Payment.objects.filter(pk=pending_payment.pk).update(method=Payment.Method.CASH)
    with pytest.raises(Payment.DoesNotExist):
        services.lock_for_confirmation(exchange_order_no=pending_payment.exchange_order_no)


@pytest.mark.django_db
def test_the_rows_an_ac_writes_read_back_as_the_orm_wrote_them(client, pending_payment, sign_ac):
    """Datetimes aware, amounts Decimal, every column set (on SQLite and PostgreSQL alike)."""
    assert client.post(DIRECT, sign_ac(pending_payment)).content == b"OK"
    payment = Payment.objects.get(pk=pending_payment.pk)
    contribution = Contribution.objects.get(pk=payment.contribution_id)
    receipt = Receipt.objects.get(payment=payment)
    message = GatewayMessage.objects.get(direction="in")
    assert payment.status == Payment.Status.PAID and payment.paid_at.tzinfo is not None
    assert payment.updated_at >= payment.paid_at and payment.fpx_txn_id == "2611211550270891"
    assert contribution.status == Contribution.Status.ACTIVE
    assert contribution.coverage_start < contribution.coverage_end and contribution.paid_at == payment.paid_at
    assert (receipt.amount, receipt.months) == (payment.amount, contribution.months)
    assert (receipt.coverage_start, receipt.coverage_end) == (
        contribution.coverage_start,
        contribution.coverage_end,
    )
    assert receipt.paid_at == payment.paid_at and receipt.issued_at.tzinfo is not None
    assert (receipt.voided_at, receipt.void_reason, len(receipt.verification_token)) == (None, "", 43)
    assert (message.payment_id, message.note, message.signature_valid) == (payment.pk, "approved", True)
    assert message.fields["fpx_sellerExOrderNo"] == payment.exchange_order_no
    ledger = PaymentStatusChange.objects.get(payment=payment, to_status="paid")
    assert (ledger.from_status, ledger.source, ledger.at) == ("pending", "direct", payment.paid_at)
    history = ContributionStatusChange.objects.get(contribution=contribution)
    assert (history.from_status, history.to_status, history.by_id) == ("submitted", "active", None)


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_statements_are_prepared_once_per_connection_and_again_after_a_reconnect(
    client, reference_data, sign_ac, monkeypatch
):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)  # persistent, as deployed
    first, second, third = (PaymentFactory(seller_txn_time="20261121154500") for _ in range(3))
    connection.close()

    assert client.post(DIRECT, sign_ac(first)).content == b"OK"
    prepared = _prepared()
    assert any("FOR UPDATE OF c, p" in statement for statement in prepared)
    assert any(statement.startswith('INSERT INTO "receipts_receipt"') for statement in prepared)
    assert client.post(DIRECT, sign_ac(second)).content == b"OK"
    assert _prepared() == prepared  # used again, not prepared again

    connection.close()  # CONN_MAX_AGE reached, or the server went away: a new connection prepares them again
    assert client.post(DIRECT, sign_ac(third)).content == b"OK"
    assert _prepared() == prepared
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_closed_after_each_request_binds_without_preparing(client, reference_data, sign_ac):
    assert connection.settings_dict["CONN_MAX_AGE"] == 0
    assert client.post(DIRECT, sign_ac(PaymentFactory(seller_txn_time="20261121154500"))).content == b"OK"
    assert _prepared() == set()


@pytest.mark.django_db(transaction=True)
def test_an_ac_drops_the_persons_pages_once_at_once_and_once_after_its_commit(
    client, reference_data, sign_ac, monkeypatch
):
    """Its rows are written without model signals; the confirmation drops the person's pages itself."""
    from matrix_portal import cache
    from receipts import services as receipt_services

    drops = []
    monkeypatch.setattr(cache, "_delete", lambda *keys: drops.append(set(keys)))
    monkeypatch.setattr(receipt_services, "_queue_render_on_commit", lambda receipt_id: None)
    payment = PaymentFactory(seller_txn_time="20261121154500")
    drops.clear()
    assert client.post(DIRECT, sign_ac(payment)).content == b"OK"
    key = f"pages.generation.{payment.contribution.person_id}"
    assert drops == [{key}, {key}]
