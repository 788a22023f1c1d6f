"""Celery tasks of the back office: each takes an id, re-fetches, and calls one service."""

from celery import shared_task

from matrix_portal.sms import SmsError


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def notify_registration_rejected_email(registration_id: int) -> bool:
    from contributions.review import registration_rejection_send_email

    return registration_rejection_send_email(registration_id=registration_id)


@shared_task(autoretry_for=(SmsError,), retry_backoff=60, max_retries=5)
def notify_registration_rejected_sms(registration_id: int) -> bool:
    from contributions.review import registration_rejection_send_sms

    return registration_rejection_send_sms(registration_id=registration_id)
