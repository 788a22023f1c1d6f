"""Account e-mail sent in the background, so a forgot-password request takes as long for an IC with an account
as for one without. Tasks take ids only (never tokens) and create the link themselves."""

from celery import shared_task

from accounts import services


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def send_password_help(user_id: int) -> None:
    services.password_help_send(user_id=user_id)


@shared_task(acks_late=True, max_retries=5, default_retry_delay=60)
def send_activation(user_id: int) -> None:
    services.activation_link_send_for(user_id=user_id)


@shared_task(acks_late=True)
def purge_account_records() -> dict:
    return services.account_records_purge()
