"""The logged-in account comes with the session in one Redis round trip (matrix_portal.sessions).

Only where sessions live in Redis (production, CI): elsewhere sessions are in the database and the account
is read as before.
"""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import user_cache_key
from tests.accounts.test_login import log_in
from tests.factories import PortalClient, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.REDIS_URL, reason="sessions are in Redis only when REDIS_URL is set"),
]
MODE = "/accounts/mode/"


@pytest.fixture(autouse=True)
def _account_cache_on(settings):
    settings.USER_CACHE_SECONDS = 300


@pytest.fixture
def person():
    return UserFactory(ic_number="790811087654", full_name="SITI AMINAH BINTI YUSOF")


@pytest.fixture
def cache_reads(monkeypatch):
    """The keys read from the cache one by one (get / get_many), and the scripts run."""
    reads = {"single": [], "scripts": []}
    get, get_many, run_script = cache.get, cache.get_many, cache.run_script

    def recording_get(key, *args, **kwargs):
        reads["single"].append(key)
        return get(key, *args, **kwargs)

    def recording_get_many(keys, *args, **kwargs):
        reads["single"].extend(keys)
        return get_many(keys, *args, **kwargs)

    def recording_run_script(source, keys, args=()):
        reads["scripts"].append(keys)
        return run_script(source, keys, args)

    monkeypatch.setattr(cache, "get", recording_get)
    monkeypatch.setattr(cache, "get_many", recording_get_many)
    monkeypatch.setattr(cache, "run_script", recording_run_script)
    return reads


def test_the_session_and_the_account_are_read_in_one_round_trip(client, person, cache_reads):
    log_in(client)
    assert client.get(MODE).status_code == 200  # the first request after log-in may fill the account copy
    cache_reads["single"].clear()
    cache_reads["scripts"].clear()
    response = client.get(MODE)
    assert response.status_code == 200 and response.wsgi_request.user == person
    assert len(cache_reads["scripts"]) == 1
    assert not [key for key in cache_reads["single"] if "session" in key or key == user_cache_key(person.pk)]


@pytest.mark.parametrize("page", ["contributions:dashboard", "contributions:history"])
def test_a_kept_page_costs_one_round_trip_with_the_session(client, person, cache_reads, settings, page):
    settings.PERSONAL_PAGE_CACHE_SECONDS = 120
    log_in(client)
    first = client.get(reverse(page))
    client.get(reverse(page))
    cache_reads["single"].clear()
    cache_reads["scripts"].clear()
    with CaptureQueriesContext(connection) as captured:
        again = client.get(reverse(page))
    assert again.status_code == 200 and captured.captured_queries == []
    assert len(cache_reads["scripts"]) == 1 and cache_reads["single"] == []
    assert strip_tokens(again.content) == strip_tokens(first.content)


def strip_tokens(content: bytes) -> str:
    page = re.sub(r'nonce="[^"]*"', "", content.decode())
    return re.sub(r'value="[A-Za-z0-9]{64}"', "", page)


def test_a_kept_page_in_another_language_is_not_served(client, person, settings):
    settings.PERSONAL_PAGE_CACHE_SECONDS = 120
    log_in(client)
    dashboard = reverse("contributions:dashboard")
    client.get(dashboard)
    english = client.get(dashboard).content.decode()
    person.language = "ms"
    person.save()
    malay = client.get(dashboard).content.decode()
    assert 'lang="ms"' in malay and malay != english
    assert 'lang="ms"' in client.get(dashboard).content.decode()


def test_a_change_to_the_account_is_seen_on_the_next_request(client, person):
    log_in(client)
    client.get(MODE)
    person.full_name = "SITI AMINAH BINTI YUSOF AL-HADI"
    person.save()
    assert client.get(MODE).wsgi_request.user.full_name == "SITI AMINAH BINTI YUSOF AL-HADI"


def test_a_disabled_account_is_logged_out_on_its_next_request(client, person):
    from accounts.services import user_disable

    log_in(client)
    assert client.get(MODE).status_code == 200
    user_disable(user=person)
    assert client.get(MODE)["Location"].startswith(reverse(settings.LOGIN_URL))


def test_a_changed_password_ends_the_other_sessions(person):
    elsewhere = PortalClient()
    log_in(elsewhere)
    assert elsewhere.get(MODE).status_code == 200
    person.set_password("A new passw0rd that is long!")
    person.save()
    assert elsewhere.get(MODE)["Location"].startswith(reverse(settings.LOGIN_URL))


def test_a_pointer_to_another_account_never_logs_in_as_that_account(client, person):
    other = UserFactory(full_name="ALI BIN ABU")
    other_client = PortalClient()
    other_client.force_login(other)
    other_client.get(MODE)  # the other account's copy is in the cache
    log_in(client)
    client.get(MODE)
    # as if the pointer of this session were made to name the other account
    cache.set_text(f"matrix_portal.sessions.account.{client.session.session_key}", str(other.pk), 60)
    assert client.get(MODE).wsgi_request.user == person
    page = client.get(reverse("contributions:dashboard"))
    assert person.full_name in page.content.decode() and other.full_name not in page.content.decode()


def test_logging_out_removes_the_pointer(client, person):
    log_in(client)
    client.get(MODE)
    pointer = f"matrix_portal.sessions.account.{client.session.session_key}"
    assert cache.get(pointer) == person.pk
    client.post(reverse("accounts:logout"))
    assert cache.get(pointer) is None


def test_a_redis_that_refuses_scripts_still_serves_the_session(client, person, monkeypatch, caplog):
    log_in(client)
    client.get(MODE)

    def refused(source, keys, args=()):
        raise PermissionError("NOPERM this user has no permissions to run the 'evalsha' command")

    monkeypatch.setattr(cache, "run_script", refused)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(MODE)
    assert response.status_code == 200 and response.wsgi_request.user == person
    assert not [q for q in captured.captured_queries if "django_session" in q["sql"]]  # still from Redis
    assert "reading it alone" in caplog.text


def test_asking_again_for_a_receipt_costs_one_round_trip(client, person, cache_reads, settings):
    from tests.receipts.conftest import seed_receipt

    settings.PERSONAL_PAGE_CACHE_SECONDS = 120
    receipt = seed_receipt(person=person)
    log_in(client)
    download = reverse("receipts:download", kwargs={"pk": receipt.pk})
    for _ in range(2):  # stores the PDF (a change), then keeps the row
        first = client.get(download)
    cache_reads["single"].clear()
    cache_reads["scripts"].clear()
    with CaptureQueriesContext(connection) as captured:
        again = client.get(download)
    assert again.status_code == 200 and again.content == first.content
    assert captured.captured_queries == []
    assert len(cache_reads["scripts"]) == 1 and cache_reads["single"] == []
