"""Periodic work for contributions: a task only calls a service."""

from celery import shared_task

from contributions.services import contributions_expire_ended


@shared_task(acks_late=True)
def expire_ended_contributions() -> int:
    """Mark contributions whose coverage has ended as Expired (idempotent)."""
    return contributions_expire_ended()
