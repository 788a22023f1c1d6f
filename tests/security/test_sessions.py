"""Session lifetime (ASVS 7.3.1, 7.3.2), beyond tests/accounts/test_login.py (new key at log-in, 31 idle
minutes, log-out, disabling): activity keeps a session alive, idleness ends it, and the absolute cap ends
it however active the person was.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.accounts.test_login import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODE = "/accounts/mode/"


@pytest.fixture
def person():
    return UserFactory(ic_number="790811087654")


def logged_in(client) -> bool:
    return client.get(MODE).status_code == 200


def test_activity_every_20_minutes_keeps_the_session_for_hours(client, person):
    start = timezone.now()
    assert log_in(client)["Location"] == MODE
    for step in range(1, 10):  # 3 hours of a request every 20 minutes
        with time_machine.travel(start + timedelta(minutes=20 * step)):
            assert logged_in(client), f"logged out after {20 * step} active minutes"


def test_29_idle_minutes_keep_it_and_31_end_it(client, person):
    start = timezone.now()
    log_in(client)
    with time_machine.travel(start + timedelta(minutes=29)):
        assert logged_in(client)
    with time_machine.travel(start + timedelta(minutes=29 + 31)):
        assert not logged_in(client)


def test_the_absolute_cap_ends_even_an_active_session(client, person, settings):
    start = timezone.now()
    log_in(client)
    hours = settings.SESSION_ABSOLUTE_MAX_AGE // 3600
    for step in range(1, hours * 3):  # active every 20 minutes up to the cap
        with time_machine.travel(start + timedelta(minutes=20 * step)):
            assert logged_in(client)
    with time_machine.travel(start + timedelta(hours=hours, minutes=10)):
        assert not logged_in(client)
