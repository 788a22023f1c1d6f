"""`make bench`: the production settings, served over plain HTTP on the loopback interface.

Everything that costs time per request in production stays on: DEBUG off, the Argon2 password hasher,
whitenoise with the manifest storage, secure cookie flags, CSP, axes, persistent database connections
(CONN_MAX_AGE=60, as in .env.example) and the Redis cache and broker. Only what needs TLS is switched off
(no HTTPS redirect, no HSTS, no upgrade-insecure-requests), because the load generator talks plain HTTP to
127.0.0.1. The database and Redis default to the bench's own database and Redis db 15.
"""

import os
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent.parent / "var" / "bench"

os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/matrix_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CONN_MAX_AGE", "60")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-deployment-0123456789-abcdefghijklmnop")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("BEHIND_TLS_PROXY", "false")
os.environ.setdefault("MEDIA_ROOT", str(BENCH_DIR / "private"))
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DEBUG"] = "false"

from .production import *  # noqa: E402,F403
from .production import CONTENT_SECURITY_POLICY, env  # noqa: E402

SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
CONTENT_SECURITY_POLICY["DIRECTIVES"].pop("upgrade-insecure-requests", None)

STATIC_ROOT = Path(env.str("BENCH_STATIC_ROOT", default=str(BENCH_DIR / "static")))

# Outgoing messages must not leave the machine during a benchmark.
SMS_BACKEND = "matrix_portal.sms.MemoryBackend"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The FPX keys the bench generates (the gateway's key signs the direct ACs the load generator sends).
FPX_KEY_DIR = Path(env.str("FPX_KEY_DIR", default=str(BENCH_DIR / "fpx")))
FPX_MERCHANT_KEY_PATH = FPX_KEY_DIR / "merchant.key"
FPX_MERCHANT_CERT_PATH = FPX_KEY_DIR / "merchant.cer"
FPX_GATEWAY_CERT_PATH = FPX_KEY_DIR / "fpx_current.cer"
FPX_GATEWAY_KEY_PATH = FPX_KEY_DIR / "fpx_simulator.key"

# The bare view (the bench's upper limit) is routed only when this is on: never in production.
BENCH_BARE_VIEW = env.bool("BENCH_BARE_VIEW", default=True)
if BENCH_BARE_VIEW:
    ROOT_URLCONF = "bench.urls"
