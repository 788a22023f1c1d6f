from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts import selectors, services, views
from accounts.models import LoginEvent, UserSession
from matrix_portal.models import Announcement
from tests.accounts.conftest import last_code
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
STEP2 = "/accounts/login/password/"
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def person():
    return UserFactory(ic_number="790811087654", secret_phrase="blue hibiscus morning")


def step1(client, ic_number="790811087654", **extra):
    return client.post(LOGIN, {"ic_number": ic_number, **extra}, **extra.pop("headers", {}))


def log_in(client, ic_number="790811087654", password=PASSWORD, **meta):
    client.post(LOGIN, {"ic_number": ic_number}, **meta)
    return client.post(STEP2, {"password": password}, **meta)


def test_log_in_page_as_in_the_seed(client):
    page = client.get(LOGIN).content.decode()
    assert "IC Number (e.g. 790811087654)" in page
    assert "Next" in page
    assert "Forgot Password?" in page
    assert "New to site? Create MATRIX account" in page
    assert 'inputmode="numeric"' in page


def test_maintenance_announcement_is_shown(client):
    start = timezone.make_aware(timezone.datetime(2020, 1, 1, 0, 0))
    Announcement.objects.create(
        maintenance_start=start,
        maintenance_end=start + timedelta(hours=4),
        show_from=start - timedelta(days=3),
    )
    with time_machine.travel(start - timedelta(days=1)):
        page = client.get(LOGIN).content.decode()
    assert (
        "MATRIX system will be under maintenance on 1 January 2020 (Wednesday) from 12:00 AM to 04:00 AM."
        in page
    )
    with time_machine.travel(start + timedelta(hours=5)):
        assert "under maintenance" not in client.get(LOGIN).content.decode()


def test_two_steps_show_the_phrase_then_log_in(client, person):
    response = step1(client, "790811-08-7654")
    assert response["Location"] == STEP2
    page = client.get(STEP2).content.decode()
    assert "blue hibiscus morning" in page
    assert "If it is not yours, do not enter your" in page
    response = client.post(STEP2, {"password": PASSWORD})
    assert response["Location"] == "/accounts/mode/"
    assert client.get("/accounts/mode/").status_code == 200


def test_unknown_ic_gets_a_stable_decoy_phrase(client, db):
    step1(client, "900101145567")
    first = client.get(STEP2)
    other = client.__class__()
    step1(other, "900101145567")
    second = other.get(STEP2)
    decoy = selectors.decoy_phrase(ic_number="900101145567")
    assert decoy in first.content.decode() and decoy in second.content.decode()
    assert first.status_code == second.status_code == 200
    assert first.templates[0].name == "accounts/login_password.html"
    assert 2 <= len(decoy.split()) <= 3
    assert decoy != selectors.decoy_phrase(ic_number="900101145575")


def test_known_and_unknown_ic_get_the_same_answer_at_step_1(client, person):
    known = step1(client, "790811087654")
    unknown = step1(client.__class__(), "900101145567")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(known.content) == len(unknown.content)


def test_account_not_yet_activated_gets_the_decoy(client):
    UserFactory(ic_number="790811087654", secret_phrase="", is_active=False)
    step1(client)
    assert selectors.decoy_phrase(ic_number="790811087654") in client.get(STEP2).content.decode()


def test_step_2_without_step_1_goes_back(client, person):
    assert client.get(STEP2)["Location"] == LOGIN
    assert client.post(STEP2, {"password": PASSWORD})["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "typed", ["79081108765", "７９０８１１０８７６５４", "790811087654\n", "791311087654"]
)
def test_bad_ic_at_step_1_gets_a_message_and_keeps_what_was_typed(client, typed):
    response = step1(client, typed)
    assert response.status_code == 200
    assert response.context["form"].errors["ic_number"]
    assert views.SESSION_LOGIN_IC not in client.session


def test_wrong_password_gets_a_clear_message(client, person):
    response = log_in(client, password="not-it")
    assert response.status_code == 200
    assert str(views.LOGIN_FAILED) in response.content.decode()
    assert "blue hibiscus morning" in response.content.decode()
    assert LoginEvent.objects.filter(user=person, succeeded=False).count() == 1


def test_unknown_ic_and_wrong_password_look_the_same(client, person):
    known = log_in(client, password="not-it")
    unknown = log_in(client.__class__(), ic_number="900101145567", password="not-it")
    assert known.status_code == unknown.status_code == 200
    assert str(views.LOGIN_FAILED) in unknown.content.decode()


def test_session_key_changes_at_log_in(client, person):
    step1(client)
    before = client.session.session_key
    client.post(STEP2, {"password": PASSWORD})
    after = client.session.session_key
    assert before and after and before != after
    assert UserSession.objects.filter(user=person, session_key=after).exists()
    assert not Session.objects.filter(session_key=before).exists()


def test_last_login_and_failed_attempts_since(client, person):
    earlier = timezone.make_aware(timezone.datetime(2019, 12, 27, 14, 35, 47))
    person.last_login = earlier
    person.save()
    log_in(client.__class__(), password="wrong-1")
    log_in(client.__class__(), password="wrong-2")
    log_in(client)
    page = client.get("/accounts/mode/").content.decode()
    assert "Last Login <strong>Successful</strong> on 2019-12-27 14:35:47" in page
    assert "2 failed log-in attempts since then" in page


def test_first_log_in_shows_no_last_login(client, person):
    person.last_login = None
    person.save()
    log_in(client)
    assert 'data-testid="last-login"' not in client.get("/accounts/mode/").content.decode()


def test_five_wrong_passwords_lock_the_ic_from_this_address(client, person):
    for _ in range(5):
        log_in(client, password="wrong")
    locked = log_in(client)  # even the right password
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "locked for 15 minutes" in page
    assert "790811087654" not in page
    assert "_auth_user_id" not in client.session


def test_lock_ends_after_15_minutes(client, person):
    for _ in range(5):
        log_in(client, password="wrong")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert log_in(client)["Location"] == "/accounts/mode/"


def test_forged_forwarded_for_does_not_dodge_the_lock(client, person):
    for n in range(5):
        log_in(client, password="wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    locked = log_in(client, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


def test_other_addresses_are_not_locked_out(client, person):
    for _ in range(5):
        log_in(client, password="wrong")
    assert log_in(client.__class__(), REMOTE_ADDR="10.1.2.3")["Location"] == "/accounts/mode/"


def test_success_resets_the_failure_count(client, person):
    for _ in range(4):
        log_in(client, password="wrong")
    log_in(client)
    client.post("/accounts/logout/")
    for _ in range(4):
        log_in(client, password="wrong")
    assert log_in(client)["Location"] == "/accounts/mode/"


def test_step_1_is_rate_limited_per_address(client, settings, db):
    settings.LOGIN_STEP1_MAX_PER_IP = 3
    for n in range(3):
        assert step1(client, f"90010114{5567 + n * 2:04d}").status_code == 302
    response = step1(client, "900101145575")
    assert response.status_code == 429
    assert str(views.TOO_MANY_REQUESTS) in response.content.decode()


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/x",
        "https:evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_off_site_is_ignored(client, person, next_url):
    client.post(LOGIN, {"ic_number": "790811087654", "next": next_url})
    assert client.post(STEP2, {"password": PASSWORD})["Location"] == "/accounts/mode/"


def test_next_on_site_is_followed(client, person):
    client.post(LOGIN, {"ic_number": "790811087654", "next": "/accounts/settings/"})
    assert client.post(STEP2, {"password": PASSWORD})["Location"] == "/accounts/settings/"


def test_login_required_pages_carry_next_through_the_log_in(client, person):
    response = client.get("/accounts/settings/")
    assert response["Location"] == "/accounts/login/?next=/accounts/settings/"
    page = client.get(response["Location"]).content.decode()
    assert 'name="next" value="/accounts/settings/"' in page


def test_staff_pass_the_second_factor_then_land_on_their_own_page(client, sms_outbox):
    StaffFactory(ic_number="800101145001")
    assert log_in(client, ic_number="800101145001")["Location"] == "/accounts/login/second-factor/"
    response = client.post("/accounts/login/second-factor/", {"token": last_code(sms_outbox)})
    assert response["Location"] == "/accounts/staff/"


def test_logout_ends_the_session_on_the_server(client, person):
    log_in(client)
    old_key = client.session.session_key
    assert client.get("/accounts/logout/").status_code == 405  # POST only
    response = client.post("/accounts/logout/")
    assert response["Location"] == LOGIN
    assert not Session.objects.filter(session_key=old_key).exists()
    assert not UserSession.objects.filter(session_key=old_key).exists()
    client.cookies["sessionid"] = old_key  # the old cookie is worthless
    assert client.get("/accounts/mode/")["Location"].startswith(LOGIN)


def test_disabling_a_user_ends_their_sessions(client, person):
    log_in(client)
    key = client.session.session_key
    services.user_disable(user=person)
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/accounts/mode/")["Location"].startswith(LOGIN)


def test_already_logged_in_person_skips_step_1(client, person):
    log_in(client)
    assert client.get(LOGIN)["Location"] == "/accounts/mode/"


def test_idle_timeout_is_30_minutes(client, person, settings):
    assert settings.SESSION_COOKIE_AGE == 1800
    # the expiry moves with activity, at most this many seconds late (tests/portal/test_session_refresh.py)
    assert 0 < settings.SESSION_IDLE_REFRESH_SECONDS <= 60
    log_in(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert client.get("/accounts/mode/")["Location"].startswith(LOGIN)


def test_ic_posted_at_step_2_is_ignored(client, person):
    other = UserFactory(ic_number="900101145567")
    other.set_password("Another-Password-55")
    other.save()
    step1(client, "790811087654")
    response = client.post(STEP2, {"ic_number": "900101145567", "password": "Another-Password-55"})
    assert response.status_code == 200  # checked against the IC of step 1, so refused
    assert "_auth_user_id" not in client.session


def test_log_in_forms_need_the_csrf_token(person):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(LOGIN, {"ic_number": "790811087654"}).status_code == 403


def test_admin_user_list_query_budget(client, django_assert_max_num_queries):
    from django_otp.plugins.otp_static.models import StaticDevice

    admin = StaffFactory(ic_number="800101145007", is_superuser=True)
    device = StaticDevice.objects.create(user=admin, name="backup", confirmed=True)
    device.token_set.create(token="abcd1234")
    client.post(
        "/admin/login/",
        {
            "username": admin.ic_number,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": "abcd1234",
        },
    )
    UserFactory.create_batch(30)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/accounts/user/").status_code == 200


def test_step_2_does_the_same_work_for_known_and_unknown_ic(client, person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    step1(client, "790811087654")
    with CaptureQueriesContext(connection) as known:
        client.get(STEP2)
    stranger = client.__class__()
    step1(stranger, "900101145567")
    with CaptureQueriesContext(connection) as unknown:
        stranger.get(STEP2)
    assert len(known.captured_queries) == len(unknown.captured_queries)
