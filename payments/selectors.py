"""Reads for payments."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from contributions.models import Contribution
from payments import codes
from payments.models import Bank, Payment


def contribution_payable_for_person(*, person, contribution_id: int) -> Contribution:
    """The person's own contribution that is waiting for payment, or 404."""
    return get_object_or_404(
        Contribution.objects.select_related("sector", "plan"),
        pk=contribution_id,
        person=person,
        status=Contribution.Status.SUBMITTED,
    )


def payment_for_person(*, person, payment_id: int) -> Payment:
    """One of the person's own payments with what its details page shows, or 404 (someone else's too)."""
    return get_object_or_404(
        Payment.objects.select_related(
            "contribution__sector", "contribution__plan", "contribution__person", "bank", "receipt"
        ),
        pk=payment_id,
        contribution__person=person,
    )


def payment_latest_for_contribution(*, contribution: Contribution) -> Payment | None:
    return (
        Payment.objects.filter(contribution=contribution)
        .select_related("bank")
        .order_by("-created_at", "-id")
        .first()
    )


def bank_list_for_selection() -> QuerySet[Bank]:
    """Every bank in FPX's latest list, offline ones included (shown, not choosable)."""
    return Bank.objects.filter(is_listed=True).order_by("name")


def payment_status_message(*, payment: Payment):
    """What the person is told about an attempt's status, in their language."""
    if payment.status == Payment.Status.PAID:
        return codes.MESSAGE_APPROVED
    if payment.status == Payment.Status.PENDING:
        return codes.MESSAGE_PENDING
    if payment.debit_auth_code == codes.APPROVED:
        return codes.MESSAGE_REFUND_REQUIRED
    return codes.status_message(payment.debit_auth_code)
