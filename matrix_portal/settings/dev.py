"""Development and demonstrations (`make run`): SQLite and in-process Celery unless configured otherwise.

DEBUG is off unless asked for (`make run DEBUG=true`): a demo server is reachable by scanners, and Django's
debug pages would show them every URL pattern (on a 404) and a traceback with the settings (on an error).
With DEBUG off the portal's own error pages answer, and WhiteNoise serves the static files straight from
the source folders (no collectstatic step, no manifest).
"""

import os

os.environ.setdefault("DEBUG", "false")

from .base import *  # noqa: E402,F403
from .base import DEBUG, SITE_URL, STORAGES, env  # noqa: E402

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-not-for-production-use-0123456789abcdef")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="matrix_portal.outbox.OutboxEmailBackend")
SMS_BACKEND = env.str("SMS_BACKEND", default="matrix_portal.sms.OutboxBackend")
DEV_OUTBOX_ENABLED = True
DEMO_ACCOUNTS_ENABLED = True  # create_demo_staff (`make run`); never set in production
FPX_SIMULATOR_ENABLED = env.bool("FPX_SIMULATOR_ENABLED", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# As in production (no page script reads it); Secure needs HTTPS, which the demo server does not have.
CSRF_COOKIE_HTTPONLY = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
