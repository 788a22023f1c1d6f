"""Receipt numbering and issuing. A receipt is numbered in the transaction that confirms its payment."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from contributions.models import Contribution
from payments.models import Payment
from receipts.models import Receipt, ReceiptCounter

FPX_METHOD_LABEL = "Portal MATRIX - FPX"
CASH_METHOD_LABEL = "Tunai"


def receipt_number(*, year: int, sequence: int) -> str:
    """Year + 10-digit sequence, as the seed's 20190000104627."""
    return f"{year:04d}{sequence:010d}"


def _next_sequence(*, year: int) -> int:
    """Take the year's counter row under lock: gapless, because a rollback also rolls back the increment."""
    try:
        with transaction.atomic():
            ReceiptCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # created concurrently by another transaction: the lock below waits for it
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def payment_method_label(payment: Payment) -> str:
    if payment.method == Payment.Method.CASH:
        office = payment.office.name if payment.office_id else ""
        return f"{office} - {CASH_METHOD_LABEL}" if office else CASH_METHOD_LABEL
    return FPX_METHOD_LABEL


@transaction.atomic
def receipt_issue(*, payment: Payment) -> Receipt:
    """Number and store the receipt of a paid payment, copying everything it prints. Idempotent."""
    existing = Receipt.objects.filter(payment=payment).first()
    if existing:
        return existing
    contribution = Contribution.objects.select_related("person", "sector", "plan").get(
        pk=payment.contribution_id
    )
    person = contribution.person
    paid_at = payment.paid_at
    year = timezone.localtime(paid_at).year
    sequence = _next_sequence(year=year)
    receipt = Receipt(
        payment=payment,
        number=receipt_number(year=year, sequence=sequence),
        year=year,
        sequence=sequence,
        verification_token=secrets.token_urlsafe(32),
        ic_number=person.ic_number,
        self_employed_code=person.self_employed_code or "",
        name=person.full_name,
        sector_name_ms=contribution.sector.name_ms.upper(),
        payment_method_label=payment_method_label(payment),
        plan_yearly_amount=contribution.plan.yearly_amount,
        months=contribution.months,
        amount=payment.amount,
        paid_at=paid_at,
        coverage_start=contribution.coverage_start,
        coverage_end=contribution.coverage_end,
        bank_name=payment.bank.name if payment.bank_id else "",
        fpx_txn_id=payment.fpx_txn_id,
    )
    receipt.full_clean(exclude=["pdf", "pdf_sha256"])
    receipt.save()
    return receipt
