"""Local development (`make run`): debug on, SQLite and in-process Celery unless configured otherwise."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
from .base import SITE_URL, env  # noqa: E402

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-not-for-production-use-0123456789abcdef")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="matrix_portal.outbox.OutboxEmailBackend")
SMS_BACKEND = env.str("SMS_BACKEND", default="matrix_portal.sms.OutboxBackend")
DEV_OUTBOX_ENABLED = True
FPX_SIMULATOR_ENABLED = env.bool("FPX_SIMULATOR_ENABLED", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
