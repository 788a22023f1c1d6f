"""Settings shared by every environment. Values come from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "phonenumber_field",
    "axes",
    "csp",
    "django_celery_beat",
    "matrix_portal",
    "accounts",
    "contributions",
    "payments",
    "receipts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "matrix_portal.middleware.SessionMiddleware",
    "matrix_portal.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "matrix_portal.middleware.UserLanguageMiddleware",
    "matrix_portal.middleware.NulInPathMiddleware",
    "matrix_portal.middleware.SessionAbsoluteTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "matrix_portal.audit.AuditRequestMiddleware",
    "matrix_portal.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "matrix_portal.middleware.NoStoreForPersonalPagesMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "matrix_portal.urls"
WSGI_APPLICATION = "matrix_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "matrix_portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Lets psycopg prepare the statements matrix_portal/sql.py asks it to (the direct AC's), once per
    # connection. Django's own cursors bind on the client and never prepare, whatever this says. None turns
    # preparing off (for a pooler that cannot keep prepared statements).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "matrix_portal.cache.PortalRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PortalModelBackend",
]
# The logged-in account is read from the cache (accounts/backends.py); seconds a cached copy may live at most.
# A person's dashboard, history and contribution pages are kept between changes (matrix_portal/page_cache.py).
# Both need a cache that every process shares (Redis): a change handled in one worker must drop the copy the
# others would serve. Without Redis (local memory, one cache per process) they are off unless set.
USER_CACHE_SECONDS = env.int("USER_CACHE_SECONDS", default=300 if REDIS_URL else 0)
PERSONAL_PAGE_CACHE_SECONDS = env.int("PERSONAL_PAGE_CACHE_SECONDS", default=120 if REDIS_URL else 0)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:mode"
LOGOUT_REDIRECT_URL = "home"

# Sessions: 30 minutes idle. With Redis they are read from the cache and written through to the database
# (matrix_portal/sessions.py); without it (`make run`) from the database only, so every process sees a
# log-out or a disabled account at once. They are not saved on every request: SessionIdleRefreshMiddleware
# moves the idle expiry when its last move is SESSION_IDLE_REFRESH_SECONDS old, so the idle timeout lies
# between SESSION_COOKIE_AGE - SESSION_IDLE_REFRESH_SECONDS and SESSION_COOKIE_AGE after the last request.
SESSION_ENGINE = "matrix_portal.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 1800
SESSION_SAVE_EVERY_REQUEST = False
SESSION_IDLE_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_ABSOLUTE_MAX_AGE = 12 * 3600

# django-axes: lock an IC + IP pair after 5 failed passwords for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "ic_number"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ms", _("Bahasa Malaysia")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "matrix_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Kuala_Lumpur"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded documents and receipts live here; it is never served as a public URL.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "private")))
# No URL pattern serves this prefix: files go out only through views that check who is asking.
MEDIA_URL = "/_private/"

FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
DOCUMENT_MAX_BYTES = 3 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_CONFIG["EMAIL_BACKEND"])
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="PERKESO Online System Administrator <noreply@matrix.example.my>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS: a dotted path to a backend class (see matrix_portal/sms.py).
SMS_BACKEND = env.str("SMS_BACKEND", default="matrix_portal.sms.HttpGatewayBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_USERNAME = env.str("SMS_GATEWAY_USERNAME", default="")
SMS_GATEWAY_PASSWORD = env.str("SMS_GATEWAY_PASSWORD", default="")
SMS_SENDER_ID = env.str("SMS_SENDER_ID", default="RMO MX")

# The dev outbox (/dev/outbox/) is routed only when this is on; it is off in production.
DEV_OUTBOX_ENABLED = False
# `create_demo_staff` (known demo passwords) runs only where the development settings switch this on.
DEMO_ACCOUNTS_ENABLED = False

# Celery: with no REDIS_URL tasks run in-process (eager), which is what `make run` uses.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Every periodic task is declared here; django-celery-beat copies them into the admin-editable schedule.
CELERY_BEAT_SCHEDULE = {
    "send-renewal-reminders": {
        "task": "receipts.tasks.send_renewal_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "sweep-reminder-claims": {
        "task": "receipts.tasks.sweep_reminder_claims",
        "schedule": crontab(minute="*/10"),
    },
    "requery-pending-payments": {
        "task": "payments.tasks.requery_pending_payments",
        "schedule": crontab(minute="*/15"),
    },
    "purge-account-records": {
        "task": "accounts.tasks.purge_account_records",
        "schedule": crontab(hour=3, minute=30),
    },
    "expire-ended-contributions": {
        "task": "contributions.tasks.expire_ended_contributions",
        "schedule": crontab(minute=1),
    },
    "refresh-fpx-bank-list": {
        "task": "payments.tasks.refresh_bank_list",
        "schedule": crontab(minute=5, hour="*/6"),
    },
}

# FPX (see docs/fpx.md). Pointing at the real gateway is configuration only.
FPX_SIMULATOR_ENABLED = env.bool("FPX_SIMULATOR_ENABLED", default=False)
FPX_AR_URL = env.str("FPX_AR_URL", default=f"{SITE_URL}/fpx-simulator/FPXMain/seller2DReceiver.jsp")
FPX_BE_URL = env.str("FPX_BE_URL", default=f"{SITE_URL}/fpx-simulator/FPXMain/RetrieveBankList")
FPX_AE_URL = env.str("FPX_AE_URL", default=f"{SITE_URL}/fpx-simulator/FPXMain/sellerNVPTxnStatus.jsp")
FPX_EXCHANGE_ID = env.str("FPX_EXCHANGE_ID", default="EX00012345")
FPX_SELLER_ID = env.str("FPX_SELLER_ID", default="SE00012345")
FPX_SELLER_BANK_CODE = env.str("FPX_SELLER_BANK_CODE", default="01")
FPX_VERSION = env.str("FPX_VERSION", default="7.0")
FPX_KEY_DIR = Path(env.str("FPX_KEY_DIR", default=str(VAR_DIR / "fpx")))
FPX_MERCHANT_KEY_PATH = Path(env.str("FPX_MERCHANT_KEY_PATH", default=str(FPX_KEY_DIR / "merchant.key")))
FPX_MERCHANT_CERT_PATH = Path(env.str("FPX_MERCHANT_CERT_PATH", default=str(FPX_KEY_DIR / "merchant.cer")))
FPX_GATEWAY_CERT_PATH = Path(env.str("FPX_GATEWAY_CERT_PATH", default=str(FPX_KEY_DIR / "fpx_current.cer")))
FPX_GATEWAY_KEY_PATH = Path(env.str("FPX_GATEWAY_KEY_PATH", default=str(FPX_KEY_DIR / "fpx_simulator.key")))
FPX_DIRECT_AC_URL = env.str("FPX_DIRECT_AC_URL", default=f"{SITE_URL}/payments/fpx/direct/")
FPX_INDIRECT_AC_URL = env.str("FPX_INDIRECT_AC_URL", default=f"{SITE_URL}/payments/fpx/return/")
# The previous FPX certificate, accepted too during a certificate rollover (empty: none).
FPX_GATEWAY_CERT_OLD_PATH = env.str("FPX_GATEWAY_CERT_OLD_PATH", default="")
FPX_PRODUCT_DESC = env.str("FPX_PRODUCT_DESC", default="PERKESO SKSPS")
FPX_HTTP_TIMEOUT = env.int("FPX_HTTP_TIMEOUT", default=15)
# Pending payments are re-queried (AE) once they are this old; FPX "not found" fails them only after
# FPX_PENDING_ABANDON_MINUTES, when the buyer can no longer be at the bank.
FPX_REQUERY_AFTER_MINUTES = env.int("FPX_REQUERY_AFTER_MINUTES", default=5)
FPX_PENDING_ABANDON_MINUTES = env.int("FPX_PENDING_ABANDON_MINUTES", default=60)
# How the simulator delivers its direct AC: "task" (Celery, retried), "thread" (a background thread in
# the web process, for `make run` without a broker) or "inline" (before answering the browser; tests).
FPX_SIMULATOR_DIRECT_AC_MODE = env.str(
    "FPX_SIMULATOR_DIRECT_AC_MODE", default="task" if REDIS_URL else "thread"
)
FPX_SIMULATOR_DELAY_SECONDS = env.int("FPX_SIMULATOR_DELAY_SECONDS", default=20)

RECEIPT_RENDER_TIME_LIMIT = 30
# Receipt fonts come from Debian packages installed by .ci/run, the Dockerfile and scripts/check_prereqs.py
# (fonts-dejavu-core; fonts-droid-fallback for Chinese names, with fonts-noto-cjk for the rare characters
# that Droid Sans Fallback lacks); never copied into the repository. Missing files fall back to whatever
# fontconfig offers, with a warning.
RECEIPT_FONT_PATHS = {
    "latin": env.str("RECEIPT_FONT_LATIN", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    "latin-bold": env.str(
        "RECEIPT_FONT_LATIN_BOLD", default="/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    ),
    "cjk": env.str("RECEIPT_FONT_CJK", default="/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
}
# Address-space ceiling for each Celery worker child (MB; 0 = none), so a runaway render cannot eat the host.
RECEIPT_WORKER_MEMORY_LIMIT_MB = env.int("RECEIPT_WORKER_MEMORY_LIMIT_MB", default=2048)
# Public verification page: requests per client address per minute.
RECEIPT_VERIFY_RATE_PER_MINUTE = env.int("RECEIPT_VERIFY_RATE_PER_MINUTE", default=30)

# django-csp 4: no 'unsafe-inline'; inline scripts carry the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "frame-src": [SELF],
        "form-action": [SELF, *env.list("CSP_FORM_ACTION_EXTRA", default=[])],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

PHONENUMBER_DEFAULT_REGION = "MY"
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

PORTAL_HOTLINE = "1-300-22-8000"
PORTAL_EMAIL = "perkeso@perkeso.gov.my"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "matrix_portal.logging.RedactFilter"}},
    "formatters": {
        "plain": {
            "()": "matrix_portal.logging.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "matrix_portal.views.csrf_failure"
