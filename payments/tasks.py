"""Celery tasks for payments. They take ids, re-fetch, and call one service; running one twice is harmless."""

import logging

from celery import shared_task

from payments import services

logger = logging.getLogger(__name__)


@shared_task(name="payments.tasks.requery_payment", acks_late=True)
def requery_payment(payment_id: int) -> str:
    """Send an AE for one pending attempt and apply the answer."""
    return services.payment_requery(payment_id=payment_id).status


@shared_task(name="payments.tasks.requery_pending_payments")
def requery_pending_payments() -> int:
    """Periodic: re-query every FPX attempt that has been pending for a few minutes."""
    payment_ids = services.pending_payments_to_requery()
    for payment_id in payment_ids:
        requery_payment.delay(payment_id)
    return len(payment_ids)


@shared_task(name="payments.tasks.refresh_bank_list", acks_late=True)
def refresh_bank_list() -> bool:
    """Periodic: fetch FPX's bank list (BE/BC) and update which banks are online."""
    return services.bank_list_refresh()


@shared_task(name="payments.tasks.send_simulated_direct_ac", bind=True, max_retries=8)
def send_simulated_direct_ac(self, txn_id: int) -> bool:
    """FPX simulator only: deliver a direct AC, retrying with back-off until the portal answers OK."""
    from payments.simulator.services import simulator_send_direct_ac

    if simulator_send_direct_ac(txn_id=txn_id):
        return True
    raise self.retry(countdown=min(300, 5 * 2**self.request.retries))
