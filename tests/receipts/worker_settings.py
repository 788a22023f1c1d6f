"""Settings for the real Celery worker that test_real_broker.py starts: the same test database, real Redis.

The worker process must see what the test wrote, so it uses the test database by name (the test runs
transactionally on PostgreSQL), a queue of its own on the real broker, and the database-backed outbox
backends so the test can read what was sent.
"""

import os

from matrix_portal.settings.test import *  # noqa: F403
from matrix_portal.settings.test import DATABASES, REDIS_URL

DATABASES["default"]["NAME"] = os.environ["WORKER_TEST_DATABASE_NAME"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = os.environ["WORKER_QUEUE"]
EMAIL_BACKEND = "matrix_portal.outbox.OutboxEmailBackend"
SMS_BACKEND = "matrix_portal.sms.OutboxBackend"
