import logging
import os

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR
from contributions import reference_data as contribution_data
from matrix_portal import sms
from payments import reference_data as bank_data
from tests.factories import PortalClient, make_staff
from tests.log_audit import CapturingHandler, find_leaks

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


LOG_CAPTURE = CapturingHandler()


def pytest_configure(config):
    root = logging.getLogger()
    root.addHandler(LOG_CAPTURE)
    root.setLevel(logging.INFO)
    engine = settings.DATABASES["default"]["ENGINE"]
    if IN_CI and "postgresql" not in engine:
        raise pytest.UsageError(f"CI must run the tests on PostgreSQL, but DATABASE_URL gives {engine}.")
    if IN_CI and not settings.REDIS_URL:
        raise pytest.UsageError("CI must run the tests with REDIS_URL pointing at Redis.")


def pytest_sessionfinish(session, exitstatus):
    """Logs never hold passwords, phrases or full IC numbers: grep everything the suite logged."""
    leaks = find_leaks(LOG_CAPTURE.lines)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"log audit: {len(LOG_CAPTURE.lines)} log lines scanned, {len(leaks)} leaks")
    if leaks:
        for line in leaks[:20]:
            print(f"LOG LEAK: {line}")
        session.exitstatus = 1


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
    # a request made through the test client leaves its language active in this thread: start each test in
    # the default language, as each real request does
    translation.activate(settings.LANGUAGE_CODE)
    yield
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def client():
    """pytest-django's client, whose force_login also passes the staff second factor (tests.factories)."""
    return PortalClient()


@pytest.fixture
def sms_outbox():
    return sms.MemoryBackend.outbox


@pytest.fixture
def reference_data(db):
    """Reference data is loaded by migrations; transactional tests flush it, so they reload it here."""
    contribution_data.load(apps)
    bank_data.load(apps)


@pytest.fixture
def reviewer(db):
    return make_staff(DOCUMENT_REVIEWER, full_name="RAHMAN REVIEWER")


@pytest.fixture
def counter_staff(db):
    return make_staff(COUNTER_STAFF, full_name="CHONG COUNTER")


@pytest.fixture
def supervisor(db):
    return make_staff(SUPERVISOR, full_name="SITI SUPERVISOR")
