import os

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache

from contributions import reference_data as contribution_data
from matrix_portal import sms
from payments import reference_data as bank_data

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if IN_CI and "postgresql" not in engine:
        raise pytest.UsageError(f"CI must run the tests on PostgreSQL, but DATABASE_URL gives {engine}.")
    if IN_CI and not settings.REDIS_URL:
        raise pytest.UsageError("CI must run the tests with REDIS_URL pointing at Redis.")


def pytest_report_header(config):
    return [
        f"database: {settings.DATABASES['default']['ENGINE']} ({settings.DATABASES['default'].get('NAME')})",
        f"redis: {settings.REDIS_URL or 'none (eager Celery, local-memory cache)'}",
    ]


def pytest_collection_modifyitems(config, items):
    """Outside CI, tests that need PostgreSQL are skipped (with the reason) when only SQLite is there."""
    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    if on_postgres or IN_CI:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); never skipped under CI=true")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolation(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    sms.MemoryBackend.outbox.clear()
    yield
    cache.clear()


@pytest.fixture
def sms_outbox():
    return sms.MemoryBackend.outbox


@pytest.fixture
def reference_data(db):
    """Reference data is loaded by migrations; transactional tests flush it, so they reload it here."""
    contribution_data.load(apps)
    bank_data.load(apps)
