import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import User
from tests.factories import UserFactory

from .conftest import last_code

pytestmark = pytest.mark.django_db

SETTINGS = "/accounts/settings/"
PASSWORD = "Correct-Horse-Battery-9"
NEW_PASSWORD = "Roti-Canai-Telur-Bawang-4"


@pytest.fixture
def person(client):
    user = UserFactory(
        ic_number="790811087654",
        email="siti@example.test",
        mobile="+60123456789",
        secret_phrase="blue hibiscus",
    )
    client.post("/accounts/login/", {"ic_number": user.ic_number})
    client.post("/accounts/login/password/", {"password": PASSWORD})
    return user


def post(client, action, **data):
    return client.post(SETTINGS, {"action": action, **{f"{action}-{k}": v for k, v in data.items()}})


def form_errors(response, action, field):
    return [str(e) for e in response.context["forms"][action].errors.get(field, [])]


def test_settings_page_lists_every_change(client, person):
    page = client.get(SETTINGS).content.decode()
    for title in [
        "Language",
        "Change Password",
        "Change Secret Phrase",
        "Change Mobile Phone Number",
        "Change E-mail",
    ]:
        assert title in page
    assert "012-345 6789" in page
    assert "790811-08-****" in page
    assert "no-store" in client.get(SETTINGS)["Cache-Control"]


def test_language_preference_is_saved_and_used(client, person):
    response = post(client, "language", language="ms")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "ms"
    assert client.get(SETTINGS).context["LANGUAGE_CODE"] == "ms"


def test_language_must_be_one_of_ours(client, person):
    response = post(client, "language", language="fr")
    assert form_errors(response, "language", "language")


@pytest.mark.parametrize("action", ["password", "phrase", "mobile", "email"])
def test_every_change_needs_the_current_password(client, person, action):
    data = {
        "password": {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        "phrase": {"secret_phrase": "red durian"},
        "mobile": {"mobile": "013-888 7777"},
        "email": {"email": "new@example.test"},
    }[action]
    response = post(client, action, current_password="wrong", **data)
    assert form_errors(response, action, "current_password") == [str(services.WRONG_CURRENT_PASSWORD)]
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert person.secret_phrase == "blue hibiscus"
    assert person.email == "siti@example.test"
    assert mail.outbox == []


def test_change_password_keeps_this_session_ends_others_and_tells_the_owner(
    client, person, django_capture_on_commit_callbacks
):
    other = client.__class__()
    other.post("/accounts/login/", {"ic_number": person.ic_number})
    other.post("/accounts/login/password/", {"password": PASSWORD})
    other_key = other.session.session_key
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, "password", current_password=PASSWORD, password1=NEW_PASSWORD, password2=NEW_PASSWORD
        )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert client.get(SETTINGS).status_code == 200  # still logged in here
    assert not Session.objects.filter(session_key=other_key).exists()
    assert mail.outbox[-1].to == ["siti@example.test"]
    assert "the password of your MATRIX account was changed" in mail.outbox[-1].body


def test_change_password_refuses_weak_ones(client, person):
    response = post(client, "password", current_password=PASSWORD, password1="12345678", password2="12345678")
    assert "too common" in response.content.decode() or "entirely numeric" in response.content.decode()


def test_change_secret_phrase(client, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "phrase", current_password=PASSWORD, secret_phrase="  red   durian ")
    person.refresh_from_db()
    assert person.secret_phrase == "red durian"
    assert "secret phrase" in mail.outbox[-1].body


def test_change_mobile_sends_a_code_to_the_new_number(client, person, sms_outbox):
    response = post(client, "mobile", current_password=PASSWORD, mobile="+60 13-888 7777")
    assert response["Location"] == "/accounts/settings/mobile/otp/"
    assert sms_outbox[-1]["to"] == "+60138887777"
    page = client.get("/accounts/settings/mobile/otp/").content.decode()
    assert "013-888 7777" in page
    response = client.post("/accounts/settings/mobile/otp/", {"token": last_code(sms_outbox)})
    assert response["Location"] == SETTINGS
    person.refresh_from_db()
    assert person.mobile.as_e164 == "+60138887777"
    assert sms_outbox[-1]["to"] == "+60123456789"  # the old number is told
    assert "mobile number of your MATRIX account was changed" in sms_outbox[-1]["body"]
    assert mail.outbox[-1].to == ["siti@example.test"]


def test_change_mobile_wrong_code_changes_nothing(client, person, sms_outbox):
    post(client, "mobile", current_password=PASSWORD, mobile="013-888 7777")
    code = last_code(sms_outbox)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/accounts/settings/mobile/otp/", {"token": wrong})
    assert response.context["form"].errors["token"] == [str(services.CODE_WRONG)]
    person.refresh_from_db()
    assert person.mobile.as_e164 == "+60123456789"


def test_change_mobile_to_a_number_of_another_account(client, person):
    UserFactory(mobile="+60138887777")
    response = post(client, "mobile", current_password=PASSWORD, mobile="0138887777")
    assert form_errors(response, "mobile", "mobile") == [str(services.SIGNUP_MOBILE_TAKEN)]


def test_change_mobile_to_a_landline_is_refused(client, person):
    response = post(client, "mobile", current_password=PASSWORD, mobile="03-2345 6789")
    assert form_errors(response, "mobile", "mobile")


def test_change_mobile_code_expires(client, person, sms_outbox):
    post(client, "mobile", current_password=PASSWORD, mobile="013-888 7777")
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        response = client.post("/accounts/settings/mobile/otp/", {"token": last_code(sms_outbox)})
    assert response.context["form"].errors["token"] == [str(services.CODE_EXPIRED)]


def test_change_email_needs_the_new_address_confirmed(client, person, django_capture_on_commit_callbacks):
    response = post(client, "email", current_password=PASSWORD, email="Siti.New@Example.test")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "siti@example.test"  # not yet
    message = mail.outbox[-1]
    assert message.to == ["siti.new@example.test"]
    path = "/accounts/" + re.search(r"/accounts/(confirm-email/[0-9a-f]+/)", message.body).group(1)
    assert client.get(path).status_code == 200
    person.refresh_from_db()
    assert person.email == "siti@example.test"  # GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)
    person.refresh_from_db()
    assert person.email == "siti.new@example.test"
    assert mail.outbox[-1].to == ["siti@example.test"]  # the old address is told
    assert client.post(path).status_code == 410  # once only


def test_change_email_to_one_in_use(client, person):
    UserFactory(email="taken@example.test")
    response = post(client, "email", current_password=PASSWORD, email="TAKEN@example.test")
    assert form_errors(response, "email", "email") == [str(services.SIGNUP_EMAIL_TAKEN)]


def test_posted_fields_that_are_not_on_the_form_do_nothing(client, person):
    client.post(
        SETTINGS, {"action": "language", "language-language": "en", "is_staff": "on", "is_superuser": "1"}
    )
    person.refresh_from_db()
    assert not person.is_staff and not person.is_superuser


def test_mobile_otp_page_without_a_change_goes_back(client, person):
    assert client.get("/accounts/settings/mobile/otp/")["Location"] == SETTINGS


def test_another_persons_device_is_not_used(client, person, sms_outbox):
    other = UserFactory()
    sent = services.user_mobile_change_start(
        user=other,
        current_password=PASSWORD,
        mobile=services.PhoneNumber.from_string("+60139990000"),
        ip=None,
    )
    session = client.session
    session["accounts_mobile_device"] = sent.device.pk
    session.save()
    assert client.get("/accounts/settings/mobile/otp/")["Location"] == SETTINGS
    assert User.objects.get(pk=other.pk).mobile != "+60139990000"
