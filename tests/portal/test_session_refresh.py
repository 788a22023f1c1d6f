"""Sessions are not written on every request: the idle expiry moves once a minute at most (issue 9).

The idle timeout itself (29 minutes keep a session, 31 end it, activity keeps it, the absolute cap) is
tested in tests/security/test_sessions.py and tests/accounts/test_login.py.
"""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services
from tests.accounts.test_login import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODE = "/accounts/mode/"


@pytest.fixture
def person():
    return UserFactory(ic_number="790811087654")


def session_writes(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_request_soon_after_the_last_save_does_not_write_the_session(client, person):
    start = timezone.now()
    log_in(client)
    before = expiry(client)
    with time_machine.travel(start + timedelta(seconds=20)), CaptureQueriesContext(connection) as captured:
        assert client.get(MODE).status_code == 200
    assert session_writes(captured) == []
    assert expiry(client) == before


def test_a_request_a_minute_later_moves_the_idle_expiry(client, person):
    start = timezone.now()
    log_in(client)
    before = expiry(client)
    later = start + timedelta(seconds=settings.SESSION_IDLE_REFRESH_SECONDS + 5)
    with time_machine.travel(later), CaptureQueriesContext(connection) as captured:
        assert client.get(MODE).status_code == 200
    assert len(session_writes(captured)) >= 1
    assert expiry(client) >= before + timedelta(seconds=settings.SESSION_IDLE_REFRESH_SECONDS)
    # and the session stays alive for the full idle time after that request
    with time_machine.travel(later + timedelta(minutes=29)):
        assert client.get(MODE).status_code == 200


def test_the_idle_timeout_counts_from_the_last_request_within_a_minute(client, person):
    start = timezone.now()
    log_in(client)
    for step in range(1, 40):  # a request every 30 seconds for 20 minutes
        with time_machine.travel(start + timedelta(seconds=30 * step)):
            assert client.get(MODE).status_code == 200
    last = start + timedelta(seconds=30 * 39)
    with time_machine.travel(last + timedelta(seconds=settings.SESSION_COOKIE_AGE - 61)):
        assert client.get(MODE).status_code == 200
    last = last + timedelta(seconds=settings.SESSION_COOKIE_AGE - 61)
    with time_machine.travel(last + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)):
        assert client.get(MODE)["Location"].startswith(reverse(settings.LOGIN_URL))


def test_log_out_ends_the_session_even_when_it_is_cached(client, person):
    log_in(client)
    key = client.session.session_key
    assert client.get(MODE).status_code == 200  # read (and cached, with Redis) again
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = key  # replaying the old cookie does not work
    assert client.get(MODE).status_code == 302


def test_disabling_a_user_ends_a_session_read_from_the_cache(client, person):
    log_in(client)
    for _ in range(3):
        assert client.get(MODE).status_code == 200
    services.user_disable(user=person)
    assert client.get(MODE).status_code == 302


@pytest.mark.skipif(not settings.REDIS_URL, reason="sessions are cached only with Redis")
def test_with_redis_a_logged_in_request_does_not_read_the_session_table(client, person):
    log_in(client)
    client.get(MODE)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(MODE).status_code == 200
    assert [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]] == []


def test_anonymous_requests_make_no_session(client):
    client.get("/")
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert Session.objects.count() == 0


def test_sessions_are_cached_only_with_a_shared_cache():
    """Without Redis every worker has its own memory cache, which would keep a session after a log-out."""
    if settings.REDIS_URL:
        assert settings.SESSION_ENGINE == "matrix_portal.sessions"
    else:
        assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
