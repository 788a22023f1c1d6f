"""Staff pass a second factor after the password (ASVS 6.3.3 L2, 6.4.3; v4 4.3.1): an SMS code to their
registered mobile, or their authenticator app when one is enrolled. Until then every page but the
second-factor page itself sends the session there."""

import io
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.middleware import OPEN_BEFORE_SECOND_FACTOR
from accounts.models import SmsDevice
from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR
from matrix_portal.models import AuditEvent
from payments.models import Payment
from tests.accounts.conftest import last_code
from tests.factories import UserFactory, make_staff
from tests.security.urls import project_routes

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"
NEW_PASSWORD = "Teh-Tarik-Kurang-Manis-7"
SECOND_FACTOR = "/accounts/login/second-factor/"
STAFF_HOME = "/accounts/staff/"


def password_step(client, user, next_url=None):
    """Log-in steps 1 and 2 through the pages (the IC number, then the password)."""
    client.post("/accounts/login/", {"ic_number": user.ic_number, **({"next": next_url} if next_url else {})})
    return client.post("/accounts/login/password/", {"password": PASSWORD})


def code_errors(response) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get("token", [])]


def is_verified(client) -> bool:
    """What the server thinks: a verified staff session opens the staff home, an unverified one does not."""
    return client.get(STAFF_HOME).status_code == 200


@pytest.fixture
def staff(db):
    return make_staff(SUPERVISOR, full_name="SITI SUPERVISOR", mobile="+60123456789")


@pytest.fixture
def wrong(sms_outbox):
    """A code that is surely not the one just sent."""
    return lambda: "000000" if last_code(sms_outbox) != "000000" else "111111"


# --- Every page is closed until the second factor ---------------------------------------------------------


def _url(route) -> str:
    kwargs = {
        name: 1 if type(converter).__name__ == "IntConverter" else "x"
        for name, converter in route.pattern.pattern.converters.items()
    }
    return reverse(route.name, kwargs=kwargs)


GUARDED = [route for route in project_routes() if route.name not in OPEN_BEFORE_SECOND_FACTOR]


def test_the_guarded_pages_include_every_staff_page():
    names = {route.name for route in GUARDED}
    staff_pages = {route.name for route in project_routes() if route.namespace in {"backoffice", "counter"}}
    assert len(staff_pages) > 15
    assert staff_pages | {"accounts:staff_home", "accounts:settings", "receipts:download"} <= names


@pytest.mark.parametrize("visitor", ["counter_staff", "superuser", "staff_without_role"])
def test_an_unverified_staff_session_is_sent_to_the_second_factor_from_every_page(client, visitor):
    role = {"counter_staff": COUNTER_STAFF, "superuser": "superuser", "staff_without_role": None}[visitor]
    client.force_login(make_staff(role), second_factor=False)
    for route in GUARDED:
        url = _url(route)
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, (route.name, response.status_code)
            location = urlsplit(response["Location"])
            assert location.path == SECOND_FACTOR, route.name
            assert parse_qs(location.query)["next"] == [url], route.name


def test_an_unverified_supervisor_cannot_void_cash(client, staff, counter_staff):
    from contributions.models import Office
    from tests.counter.conftest import take
    from tests.factories import ContributionFactory

    entry = take(ContributionFactory(), counter_staff, Office.objects.get(code="kuala-krai"))
    client.force_login(staff, second_factor=False)
    response = client.post(
        reverse("counter:void", kwargs={"payment_id": entry.pk}), {"reason": "wrong amount"}
    )
    assert urlsplit(response["Location"]).path == SECOND_FACTOR
    entry.refresh_from_db()
    assert entry.status == Payment.Status.PAID


def test_the_pages_open_before_the_second_factor(client, staff):
    client.force_login(staff, second_factor=False)
    assert client.get(SECOND_FACTOR).status_code == 200
    assert client.post(reverse("set_language"), {"language": "ms"}).status_code == 302
    assert client.get(reverse("dev_outbox")).status_code == 200
    assert client.post(reverse("accounts:logout"))["Location"] == "/accounts/login/"
    assert client.get(STAFF_HOME)["Location"].startswith("/accounts/login/")  # logged out, not verified


def test_the_middleware_runs_after_django_otp():
    middleware = django_settings.MIDDLEWARE
    assert middleware.index("accounts.middleware.StaffSecondFactorMiddleware") > middleware.index(
        "django_otp.middleware.OTPMiddleware"
    )


# --- Log-in by SMS code -----------------------------------------------------------------------------------


def test_the_password_step_sends_staff_a_code_to_their_registered_mobile(client, staff, sms_outbox):
    response = password_step(client, staff)
    assert response["Location"] == SECOND_FACTOR
    assert len(sms_outbox) == 1
    assert sms_outbox[-1]["to"] == "+60123456789"
    device = SmsDevice.objects.get(user=staff, purpose=SmsDevice.Purpose.STAFF_LOGIN)
    assert device.token != last_code(sms_outbox)  # stored as an HMAC only
    page = client.get(SECOND_FACTOR).content.decode()
    assert "012-345 6789" in page
    assert not is_verified(client)


def test_the_right_code_verifies_the_session_the_django_otp_way(client, staff, sms_outbox):
    password_step(client, staff)
    before = client.session.session_key
    response = client.post(SECOND_FACTOR, {"token": last_code(sms_outbox)})
    assert response["Location"] == STAFF_HOME
    assert client.session.session_key != before  # a new session id at the step-up
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["otp_device_id"] == SmsDevice.objects.get(user=staff).persistent_id
    assert is_verified(client)
    assert client.get(reverse("backoffice:ops")).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.STAFF_SECOND_FACTOR)
    assert event.actor == staff
    assert event.after == {"method": "sms"}


def test_a_wrong_code_gets_a_clear_message_and_no_access(client, staff, wrong):
    password_step(client, staff)
    response = client.post(SECOND_FACTOR, {"token": wrong()})
    assert response.status_code == 200
    assert code_errors(response) == [str(services.CODE_WRONG)]
    assert not is_verified(client)


@pytest.mark.parametrize("typed", ["", "12345", "abcdef", "１２３４５６"])
def test_a_badly_typed_code_gets_a_clear_message(client, staff, typed):
    password_step(client, staff)
    response = client.post(SECOND_FACTOR, {"token": typed})
    assert response.status_code == 200
    assert code_errors(response)
    assert not is_verified(client)


def test_the_code_expires_after_five_minutes(client, staff, sms_outbox):
    password_step(client, staff)
    code = last_code(sms_outbox)
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        response = client.post(SECOND_FACTOR, {"token": code})
        assert code_errors(response) == [str(services.CODE_EXPIRED)]
        assert not is_verified(client)


def test_five_wrong_codes_end_the_code(client, staff, sms_outbox, wrong):
    password_step(client, staff)
    code, bad = last_code(sms_outbox), wrong()
    start = timezone.now()
    for attempt in range(5):
        with time_machine.travel(start + timedelta(seconds=40 * attempt)):
            client.post(SECOND_FACTOR, {"token": bad})
    with time_machine.travel(start + timedelta(seconds=250)):
        response = client.post(SECOND_FACTOR, {"token": code})
        assert code_errors(response) == [str(services.CODE_TOO_MANY_TRIES)]
        assert not is_verified(client)


def test_guesses_are_slowed_down(client, staff, sms_outbox, wrong):
    password_step(client, staff)
    with time_machine.travel(timezone.now(), tick=False):
        client.post(SECOND_FACTOR, {"token": wrong()})
        client.post(SECOND_FACTOR, {"token": wrong()})
        response = client.post(SECOND_FACTOR, {"token": last_code(sms_outbox)})
    assert code_errors(response) == [str(services.CODE_WAIT)]


def test_resend_keeps_the_cooldown_and_then_sends_a_new_code(client, staff, sms_outbox):
    password_step(client, staff)
    first = last_code(sms_outbox)
    response = client.post(SECOND_FACTOR, {"resend": "1"}, follow=True)
    assert len(sms_outbox) == 1
    assert str(services.CODE_COOLDOWN) in response.content.decode()
    start = timezone.now()
    with time_machine.travel(start + timedelta(seconds=61)):
        client.post(SECOND_FACTOR, {"resend": "1"})
        assert len(sms_outbox) == 2
        if first != last_code(sms_outbox):
            assert client.post(SECOND_FACTOR, {"token": first}).status_code == 200  # the old code is gone
    with time_machine.travel(start + timedelta(seconds=70)):
        assert client.post(SECOND_FACTOR, {"token": last_code(sms_outbox)})["Location"] == STAFF_HOME


def test_a_code_works_once_and_only_for_its_own_account(client, staff, sms_outbox):
    other = make_staff(COUNTER_STAFF, mobile="+60129876543")
    password_step(client, staff)
    code = last_code(sms_outbox)
    other_client = client.__class__()
    password_step(other_client, other)
    if code != last_code(sms_outbox):
        assert other_client.post(SECOND_FACTOR, {"token": code}).status_code == 200
    assert client.post(SECOND_FACTOR, {"token": code})["Location"] == STAFF_HOME
    assert not is_verified(other_client)


def test_next_is_kept_through_all_three_steps(client, staff, sms_outbox):
    target = reverse("counter:reconciliation")

    def next_of(response):
        return parse_qs(urlsplit(response["Location"]).query)["next"]

    assert next_of(client.get(target)) == [target]
    response = password_step(client, staff, next_url=target)
    assert urlsplit(response["Location"]).path == SECOND_FACTOR
    assert next_of(response) == [target]
    page = client.get(response["Location"]).content.decode()
    assert f'name="next" value="{target}"' in page
    response = client.post(SECOND_FACTOR, {"token": last_code(sms_outbox), "next": target})
    assert response["Location"] == target


def test_an_off_site_next_is_ignored(client, staff, sms_outbox):
    password_step(client, staff)
    response = client.post(SECOND_FACTOR, {"token": last_code(sms_outbox), "next": "https://evil.example/"})
    assert response["Location"] == STAFF_HOME


def test_a_verified_session_skips_the_page(client, staff):
    client.force_login(staff)
    assert client.get(f"{SECOND_FACTOR}?next=/staff/")["Location"] == "/staff/"


def test_staff_without_mobile_or_authenticator_are_told_to_ask_an_administrator(client, sms_outbox):
    staff = make_staff(DOCUMENT_REVIEWER, mobile=None)
    assert password_step(client, staff)["Location"] == SECOND_FACTOR
    page = client.get(SECOND_FACTOR).content.decode()
    assert str(services.SECOND_FACTOR_MISSING) in page
    assert sms_outbox == []
    assert client.post(SECOND_FACTOR, {"token": "123456"}).status_code == 200
    assert not is_verified(client)


def test_the_page_speaks_the_staff_members_language(client, sms_outbox):
    staff = make_staff(COUNTER_STAFF, language="ms")
    password_step(client, staff)
    page = client.get(SECOND_FACTOR).content.decode()
    assert "Log masuk kakitangan: langkah kedua" in page
    assert "Your OTP requested" not in sms_outbox[-1]["body"]  # the SMS is in Malay too


# --- Log-in with an authenticator app ---------------------------------------------------------------------


def _totp_now(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_an_enrolled_authenticator_is_asked_for_instead_of_an_sms(client, staff, sms_outbox):
    device = TOTPDevice.objects.create(user=staff, name="authenticator app", confirmed=True)
    assert password_step(client, staff)["Location"] == SECOND_FACTOR
    assert sms_outbox == []
    assert "authenticator app" in client.get(SECOND_FACTOR).content.decode()
    response = client.post(SECOND_FACTOR, {"token": f"{(int(_totp_now(device)) + 1) % 1000000:06d}"})
    assert code_errors(response) == [str(services.AUTHENTICATOR_WRONG)]
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        response = client.post(SECOND_FACTOR, {"token": _totp_now(device)})
        assert response["Location"] == STAFF_HOME
        assert is_verified(client)
    assert AuditEvent.objects.get(action=AuditEvent.Action.STAFF_SECOND_FACTOR).after == {
        "method": "authenticator"
    }


def test_an_unconfirmed_authenticator_does_not_count(client, staff, sms_outbox):
    TOTPDevice.objects.create(user=staff, name="half enrolled", confirmed=False)
    password_step(client, staff)
    assert len(sms_outbox) == 1


# --- What does not change, and what cannot bypass it ------------------------------------------------------


def test_self_employed_people_log_in_as_before(client, sms_outbox):
    person = UserFactory()
    assert password_step(client, person)["Location"] == "/accounts/mode/"
    assert sms_outbox == []
    assert client.get("/self-employed/").status_code in (200, 302)
    assert client.get(SECOND_FACTOR)["Location"] == "/accounts/mode/"


def test_a_password_reset_does_not_bypass_the_second_factor(client, staff, sms_outbox):
    password_step(client, staff)
    client.post(SECOND_FACTOR, {"token": last_code(sms_outbox)})
    assert is_verified(client)
    other = client.__class__()
    other.post("/accounts/forgot-password/", {"ic_number": staff.ic_number})
    link = re.search(r"https?://\S+/accounts/reset-password/[0-9a-f]+/", mail.outbox[-1].body).group(0)
    path = "/accounts/" + link.split("/accounts/", 1)[1]
    response = other.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/login/"
    assert not is_verified(other)
    assert not is_verified(client)  # the verified session ended with the reset
    other.post("/accounts/login/", {"ic_number": staff.ic_number})
    response = other.post("/accounts/login/password/", {"password": NEW_PASSWORD})
    assert response["Location"] == SECOND_FACTOR
    assert not is_verified(other)


def test_verified_staff_without_superuser_rights_stay_out_of_the_admin(client, staff):
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_verified_superuser_opens_the_admin(client):
    client.force_login(make_staff("superuser"))
    assert client.get("/admin/").status_code == 200


def test_demo_staff_log_in_with_the_code_shown_in_the_dev_outbox(client, settings):
    from django.core.management import call_command

    from accounts.management.commands.create_demo_staff import DEMO_PASSWORD
    from matrix_portal.models import OutboxMessage

    settings.DEMO_ACCOUNTS_ENABLED = True  # what the development settings (make run) switch on
    settings.SMS_BACKEND = "matrix_portal.sms.OutboxBackend"
    call_command("create_demo_staff", stdout=io.StringIO())
    client.post("/accounts/login/", {"ic_number": "800101145001"})
    assert client.post("/accounts/login/password/", {"password": DEMO_PASSWORD})["Location"] == SECOND_FACTOR
    sms = OutboxMessage.objects.get(channel=OutboxMessage.Channel.SMS)
    assert sms.recipient == "+601110005001"
    assert sms.body in client.get(reverse("dev_outbox")).content.decode()  # readable before the second step
    code = re.search(r"Your OTP requested is (\d{6}) on", sms.body).group(1)
    assert client.post(SECOND_FACTOR, {"token": code})["Location"] == STAFF_HOME
    assert client.get(reverse("counter:desk")).status_code == 200
