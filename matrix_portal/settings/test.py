"""Tests: DATABASE_URL / REDIS_URL from the environment when set (CI), else SQLite and eager Celery."""

import os

os.environ.setdefault("DEBUG", "false")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "matrix_portal.sms.MemoryBackend"
DEV_OUTBOX_ENABLED = True
FPX_SIMULATOR_ENABLED = True
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("TEST_MEDIA_ROOT", default="/tmp/matrix-portal-test-media"))  # noqa: F405,S108
FPX_KEY_DIR = MEDIA_ROOT / "fpx"
FPX_MERCHANT_KEY_PATH = FPX_KEY_DIR / "merchant.key"
FPX_MERCHANT_CERT_PATH = FPX_KEY_DIR / "merchant.cer"
FPX_GATEWAY_CERT_PATH = FPX_KEY_DIR / "fpx_current.cer"
FPX_GATEWAY_KEY_PATH = FPX_KEY_DIR / "fpx_simulator.key"
FPX_SIMULATOR_DIRECT_AC_MODE = "inline"
AXES_ENABLED = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
