"""The bench settings are the production settings, minus only what plain HTTP on loopback cannot do."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "debug": s.DEBUG,
    "hasher": s.PASSWORD_HASHERS[0],
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "hsts": s.SECURE_HSTS_SECONDS,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "engine": s.DATABASES["default"]["ENGINE"],
    "conn_max_age": s.DATABASES["default"]["CONN_MAX_AGE"],
    "redis": s.REDIS_URL,
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "whitenoise": "whitenoise.middleware.WhiteNoiseMiddleware" in s.MIDDLEWARE,
    "static_storage": s.STORAGES["staticfiles"]["BACKEND"],
    "session_cookie_secure": s.SESSION_COOKIE_SECURE,
    "urlconf": s.ROOT_URLCONF,
    "simulator": s.FPX_SIMULATOR_ENABLED,
    "sms": s.SMS_BACKEND,
}))
"""


def probe(**extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "BENCH_"))}
    env.pop("SECRET_KEY", None)
    env.update({"DJANGO_SETTINGS_MODULE": "matrix_portal.settings.bench", **extra_env})
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_bench_settings_are_production_like_over_loopback_http():
    values = probe()
    assert values["debug"] is False
    assert values["hasher"] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert values["ssl_redirect"] is False and values["hsts"] == 0
    assert values["allowed_hosts"] == ["127.0.0.1"]
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["conn_max_age"] == 60
    assert values["redis"] == "redis://127.0.0.1:6379/15" and values["eager"] is False
    assert values["whitenoise"] and "Manifest" in values["static_storage"]
    assert values["session_cookie_secure"] is True
    assert values["simulator"] is False
    assert values["sms"] == "matrix_portal.sms.MemoryBackend"
    assert values["urlconf"] == "bench.urls"


def test_bare_view_can_be_switched_off():
    assert probe(BENCH_BARE_VIEW="false")["urlconf"] == "matrix_portal.urls"
