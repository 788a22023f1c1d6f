"""Celery tasks: receipt PDFs and renewal reminders. Every task takes ids, never objects or personal data."""

import ctypes
import ctypes.util
import datetime as dt
import functools
import logging

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from receipts import services

logger = logging.getLogger(__name__)

RENDER_TIME_LIMIT = getattr(settings, "RECEIPT_RENDER_TIME_LIMIT", 30)


@worker_process_init.connect
def limit_worker_memory(**kwargs):
    """Cap each prefork child's address space, so a runaway render fails instead of starving the host."""
    limit_mb = getattr(settings, "RECEIPT_WORKER_MEMORY_LIMIT_MB", 0)
    if not limit_mb:
        return
    try:
        import resource

        limit = limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError) as exc:  # pragma: no cover - platform without rlimits
        logger.warning("Could not limit worker memory: %s", exc)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=RENDER_TIME_LIMIT,
    time_limit=RENDER_TIME_LIMIT + 10,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def render_receipt_pdf(receipt_id: int) -> None:
    """Render and store a receipt's PDF once (a stored, intact copy makes this a no-op)."""
    try:
        services.receipt_store_pdf(receipt_id=receipt_id)
    finally:
        give_back_freed_memory()


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def give_back_freed_memory() -> None:
    """Return the memory a render freed to the system.

    The renderer's C libraries (Pango, HarfBuzz, cairo, under WeasyPrint) allocate and free many small blocks,
    and glibc keeps freed memory inside the process: over hundreds of renders a worker's size creeps up
    without any leak. malloc_trim hands the free pages back (about 0.4 ms, against some 65 ms per render).
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _now(now_iso: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(now_iso) if now_iso else timezone.now()


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=600, time_limit=660)
def send_renewal_reminders(now_iso: str | None = None) -> dict:
    """Daily at 08:00 MYT: expire ended contributions, claim the notices due, and hand each to delivery.

    Safe to run twice or concurrently: claims are unique per (contribution, notice).
    """
    now = _now(now_iso)
    expired = services.contributions_expire_ended(now=now)
    claimed = services.reminders_claim_due(now=now)
    _hand_out(claimed)
    reclaimed = sweep_reminder_claims(now_iso=now.isoformat())
    logger.info("Renewal reminders: %s claimed, %s expired, %s reclaimed", len(claimed), expired, reclaimed)
    return {"claimed": len(claimed), "expired": expired, "reclaimed": reclaimed}


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
    max_retries=5,
)
def deliver_reminder(self, log_id: int) -> bool:
    """Send one claimed reminder (e-mail and SMS). Duplicates of this task send nothing."""
    try:
        return services.reminder_deliver(log_id=log_id)
    except (services.ReminderDeliveryError, OperationalError) as exc:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.warning("Reminder %s not delivered (%s); the sweeper will retry it.", log_id, exc)
            return False
        raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 900)) from exc


# Claims go to the workers in chunks: one task (one broker message, one database connection) per chunk
# instead of per reminder. Each reminder is still sent in its own transaction, so a worker killed mid-chunk
# leaves the rest of the chunk claimed and unsent for the sweeper, exactly as a lost single task would.
DELIVERY_CHUNK = 100


def _hand_out(log_ids: list[int]) -> None:
    for start in range(0, len(log_ids), DELIVERY_CHUNK):
        deliver_reminders.delay(log_ids[start : start + DELIVERY_CHUNK])


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=300, time_limit=330)
def deliver_reminders(log_ids: list[int]) -> int:
    """Send a chunk of claimed reminders, each once; a reminder that fails is retried on its own."""
    delivered = 0
    for log_id in log_ids:
        try:
            delivered += services.reminder_deliver(log_id=log_id)
        except (services.ReminderDeliveryError, OperationalError) as exc:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                logger.warning("Reminder %s not delivered (%s); the sweeper will retry it.", log_id, exc)
            else:
                deliver_reminder.apply_async((log_id,), countdown=60)
    return delivered


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def sweep_reminder_claims(now_iso: str | None = None) -> int:
    """Every 10 minutes: re-deliver claims that were never completed (a worker died mid-batch)."""
    reclaimed = services.reminders_reclaim_stale(now=_now(now_iso))
    _hand_out(reclaimed)
    return len(reclaimed)
