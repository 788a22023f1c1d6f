"""For `make run` without Redis: run the periodic tasks of CELERY_BEAT_SCHEDULE in this process."""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from matrix_portal.celery import app

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic Celery tasks in-process (development without a broker)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Check the schedule once and exit.")
        parser.add_argument("--interval", type=int, default=60)

    def handle(self, *args, once=False, interval=60, **options):
        last_run = {name: timezone.now() for name in settings.CELERY_BEAT_SCHEDULE}
        while True:
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
                due, _next = entry["schedule"].is_due(last_run[name])
                if not due:
                    continue
                last_run[name] = timezone.now()
                task = app.tasks.get(entry["task"])
                if task is None:
                    logger.info("periodic task %s is not available yet", entry["task"])
                    continue
                try:
                    task.apply()
                except Exception:
                    logger.exception("periodic task %s failed", entry["task"])
            if once:
                return
            time.sleep(interval)
