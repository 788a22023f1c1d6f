import threading
from datetime import timedelta

import django_otp
import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from accounts import services
from accounts.models import SignupRequest, SmsDevice, SmsSendLog, User

from .conftest import last_code, signup_data

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
OTP = "/accounts/signup/otp/"


def code_error(response):
    return [str(e) for e in response.context["form"].errors.get("token", [])]


def test_code_is_stored_only_as_an_hmac(signed_up):
    device = SmsDevice.objects.get()
    assert device.token != signed_up
    assert signed_up not in device.token
    assert len(device.token) == 64
    assert device.purpose == SmsDevice.Purpose.SIGNUP
    assert not device.confirmed  # never offered as a log-in factor


def test_code_lasts_five_minutes(client, signed_up):
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        response = client.post(OTP, {"token": signed_up})
    assert code_error(response) == [str(services.CODE_EXPIRED)]
    assert User.objects.count() == 0


def test_code_just_before_expiry_works(client, signed_up):
    with time_machine.travel(timezone.now() + timedelta(seconds=295)):
        response = client.post(OTP, {"token": signed_up})
    assert response["Location"] == "/accounts/signup/done/"


def test_code_works_once(signed_up):
    signup = SignupRequest.objects.get()
    device = services.signup_device(signup=signup)
    assert django_otp.verify_token(AnonymousUser(), device.persistent_id, signed_up) is not None
    assert django_otp.verify_token(AnonymousUser(), device.persistent_id, signed_up) is None


def test_reusing_a_code_after_sign_up_fails(client, signed_up):
    client.post(OTP, {"token": signed_up})
    again = client.post(OTP, {"token": signed_up})
    assert again["Location"] == SIGNUP  # the sign-up is finished; nothing left to verify


@pytest.mark.parametrize("typed", ["12345", "1234567", "12345a", "１２３４５６", "", "12 34"])
def test_badly_formed_codes_get_a_clear_message(client, signed_up, typed):
    response = client.post(OTP, {"token": typed})
    assert response.status_code == 200
    assert code_error(response)
    assert SmsDevice.objects.get().wrong_tries == 0  # not even tried against the code


def test_spaces_around_and_inside_the_code_are_fine(client, signed_up):
    response = client.post(OTP, {"token": f" {signed_up[:3]} {signed_up[3:]} "})
    assert response["Location"] == "/accounts/signup/done/"


def test_wrong_code_gets_a_clear_message(client, signed_up):
    wrong = "000000" if signed_up != "000000" else "111111"
    response = client.post(OTP, {"token": wrong})
    assert code_error(response) == [str(services.CODE_WRONG)]


def test_five_wrong_tries_end_the_code(client, signed_up):
    wrong = "000000" if signed_up != "000000" else "111111"
    start = timezone.now()
    for attempt in range(5):
        with time_machine.travel(start + timedelta(seconds=40 * attempt)):
            client.post(OTP, {"token": wrong})
    with time_machine.travel(start + timedelta(seconds=250)):
        response = client.post(OTP, {"token": signed_up})
    assert code_error(response) == [str(services.CODE_TOO_MANY_TRIES)]
    assert SmsDevice.objects.get().token is None
    assert User.objects.count() == 0


def test_guesses_are_slowed_down(client, signed_up):
    wrong = "000000" if signed_up != "000000" else "111111"
    with time_machine.travel(timezone.now(), tick=False):
        client.post(OTP, {"token": wrong})
        client.post(OTP, {"token": wrong})
        response = client.post(OTP, {"token": signed_up})  # right code, but during the back-off
    assert code_error(response) == [str(services.CODE_WAIT)]


def test_old_code_fails_after_a_new_one_is_sent(client, sms_outbox, signed_up):
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        client.post(OTP, {"resend": "1"})
        new = last_code(sms_outbox)
        if new != signed_up:
            assert code_error(client.post(OTP, {"token": signed_up})) == [str(services.CODE_WRONG)]
    with time_machine.travel(timezone.now() + timedelta(seconds=63)):
        assert client.post(OTP, {"token": new})["Location"] == "/accounts/signup/done/"


def test_resend_inside_60_seconds_sends_nothing(client, sms_outbox, signed_up):
    response = client.post(OTP, {"resend": "1"}, follow=True)
    assert len(sms_outbox) == 1
    assert str(services.CODE_COOLDOWN) in response.content.decode()


def test_resend_after_60_seconds_sends_a_new_code(client, sms_outbox, signed_up):
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        client.post(OTP, {"resend": "1"})
    assert len(sms_outbox) == 2


def test_code_page_shows_the_countdown_for_the_static_script(client, signed_up):
    page = client.get(OTP).content.decode()
    assert 'data-seconds="60"' in page or 'data-seconds="59"' in page
    assert "resend-countdown.js" in page
    assert "You can ask for a new code from" in page  # readable without JavaScript


def test_at_most_five_codes_per_number_per_hour(client, sms_outbox):
    start = timezone.now()
    client.post(SIGNUP, signup_data())
    for minute in range(1, 6):
        with time_machine.travel(start + timedelta(minutes=minute * 2)):
            client.post(OTP, {"resend": "1"})
    assert len(sms_outbox) == 5
    with time_machine.travel(start + timedelta(minutes=14)):
        response = client.post(OTP, {"resend": "1"}, follow=True)
    assert str(services.CODE_TOO_MANY_FOR_NUMBER) in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=61)):  # the first code left the one-hour window
        client.post(SIGNUP, signup_data())
    assert len(sms_outbox) == 6


def test_a_new_sign_up_cannot_dodge_the_number_cap(client, sms_outbox):
    start = timezone.now()
    for attempt in range(7):
        with time_machine.travel(start + timedelta(minutes=attempt * 2)):
            response = client.post(SIGNUP, signup_data(full_name=f"Person {attempt}"))
    assert len(sms_outbox) == 5
    assert str(services.CODE_TOO_MANY_FOR_NUMBER) in response.content.decode()


def test_per_ip_cap_across_many_numbers(client, sms_outbox, settings):
    settings.OTP_SMS_MAX_PER_IP_PER_HOUR = 3
    for n in range(4):
        response = client.post(SIGNUP, signup_data(mobile=f"012-345 678{n}"))
    assert len(sms_outbox) == 3
    assert str(services.CODE_TOO_MANY_FROM_HERE) in response.content.decode()
    assert SmsSendLog.objects.count() == 3


def test_a_code_for_another_purpose_does_not_sign_up(client, sms_outbox):
    # given a change-of-mobile code sent to the same number the sign-up uses
    from tests.factories import UserFactory

    owner = UserFactory(mobile="+60199999999")
    owner.set_password("Kopi-Peng-Satu-2026")
    owner.save()
    sent = services.user_mobile_change_start(
        user=owner,
        current_password="Kopi-Peng-Satu-2026",
        mobile=services.PhoneNumber.from_string("+60123456789"),
        ip=None,
    )
    other_code = last_code(sms_outbox)
    assert sent.device.purpose == SmsDevice.Purpose.CHANGE_MOBILE
    # when the sign-up for that number is given the other code
    with time_machine.travel(timezone.now() + timedelta(seconds=1)):
        client.post(SIGNUP, signup_data())
    signup_code = last_code(sms_outbox)
    if other_code != signup_code:
        response = client.post(OTP, {"token": other_code})
        assert code_error(response) == [str(services.CODE_WRONG)]
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        assert client.post(OTP, {"token": signup_code})["Location"] == "/accounts/signup/done/"


def test_a_sign_up_code_does_not_work_for_another_persons_sign_up(client, sms_outbox):
    client.post(SIGNUP, signup_data())
    code = last_code(sms_outbox)
    intruder = client.__class__()
    intruder.post(
        SIGNUP, signup_data(ic_number="900101145575", mobile="013-345 6789", email="x@example.test")
    )
    response = intruder.post(OTP, {"token": code})
    assert response.status_code == 200
    assert User.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_correct_codes_succeed_once(sms_outbox):
    signup, _sent = services.signup_start(
        ic_number="900101145567",
        full_name="NUR AINA",
        email="aina@example.test",
        mobile=services.PhoneNumber.from_string("+60123456789"),
        language="en",
        ip="10.0.0.1",
    )
    code = last_code(sms_outbox)
    device = services.signup_device(signup=signup)
    barrier = threading.Barrier(2)
    results = []

    def submit():
        try:
            barrier.wait()
            results.append(django_otp.verify_token(AnonymousUser(), device.persistent_id, code) is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sign_up_completions_create_one_account(sms_outbox):
    signup, _sent = services.signup_start(
        ic_number="900101145567",
        full_name="NUR AINA",
        email="aina@example.test",
        mobile=services.PhoneNumber.from_string("+60123456789"),
        language="en",
        ip="10.0.0.1",
    )
    code = last_code(sms_outbox)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            services.signup_verify(signup=SignupRequest.objects.get(pk=signup.pk), token=code)
            outcomes.append("ok")
        except services.ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["code_refused", "ok"]
    assert User.objects.count() == 1
