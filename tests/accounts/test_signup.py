import re

import pytest
from django.core import mail

from accounts import forms, robot, services
from accounts.models import SignupRequest, SmsDevice, User
from tests.factories import UserFactory

from .conftest import last_code, robot_payload, signup_data

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
OTP = "/accounts/signup/otp/"


def errors_for(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_sign_up_page_has_the_seed_fields_and_links(client):
    page = client.get(SIGNUP).content.decode()
    for text in [
        "IC Number",
        "Full Name",
        "E-mail",
        "Mobile Phone Number",
        "Terms and Conditions",
        "not a robot",
    ]:
        assert text in page
    assert 'inputmode="numeric"' in page
    assert "robot-check.js" in page
    assert "<script>" not in page  # no inline scripts: CSP without 'unsafe-inline'


def test_login_page_links_to_sign_up(client):
    page = client.get("/accounts/login/").content.decode()
    assert "New to site? Create MATRIX account" in page
    assert 'href="/accounts/signup/"' in page


def test_next_sends_an_sms_code_with_the_seed_text(client, sms_outbox):
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    assert response["Location"] == OTP
    assert len(sms_outbox) == 1
    message = sms_outbox[0]
    assert message["to"] == "+60123456789"
    assert re.fullmatch(
        r"RMO MX:MATRIX: Your OTP requested is \d{6} on \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\."
        r" Thank You",
        message["body"],
    )
    page = client.get(OTP).content.decode()
    assert "The 6 - Digit code is sent to your mobile phone number 012-345 6789" in page
    assert "Resend OTP" in page


def test_what_was_typed_is_normalised_before_storing(client, signed_up):
    signup = SignupRequest.objects.get()
    assert signup.ic_number == "900101145567"
    assert signup.email == "aina.ahmad@example.test"
    assert signup.mobile.as_e164 == "+60123456789"
    assert signup.full_name == "NUR AINA BINTI AHMAD"


@pytest.mark.parametrize(
    ("ic_number", "message"),
    [
        ("900230-14-5567", "not a real date of birth"),
        ("010229-14-5567", "not a real date of birth"),
        ("901301-14-5567", "not a real date of birth"),
        ("900101-17-5567", "not a place-of-birth code in use"),
        ("90010114556", "you typed 11"),
        ("9001011455670", "you typed 13"),
        ("９００１０１１４５５６７", "digits 0 to 9 only"),
        ("900101145567\n", "digits 0 to 9 only"),
    ],
)
def test_bad_ic_numbers_get_a_clear_message_and_keep_what_was_typed(client, sms_outbox, ic_number, message):
    response = client.post(SIGNUP, signup_data(ic_number=ic_number))
    assert response.status_code == 200
    assert any(message in error for error in errors_for(response, "ic_number"))
    page = response.content.decode()
    assert 'value="Nur Aina binti Ahmad"' in page
    assert 'aria-invalid="true"' in page or "field--error" in page
    assert sms_outbox == []


@pytest.mark.parametrize(
    "mobile",
    ["0123456789", "012-345 6789", "+60 12-345 6789", "60123456789", "012 3456789", "+60123456789"],
)
def test_any_way_of_writing_a_mobile_number_is_stored_in_e164(client, mobile):
    assert client.post(SIGNUP, signup_data(mobile=mobile)).status_code == 302
    assert SignupRequest.objects.get().mobile.as_e164 == "+60123456789"


@pytest.mark.parametrize(
    ("mobile", "message"),
    [
        ("03-2345 6789", "not a mobile phone number"),  # Kuala Lumpur landline
        ("1-300-22-8000", "not a mobile phone number"),  # toll-free
        ("+65 9123 4567", "Malaysian mobile phone number"),  # Singapore mobile
        ("012-345", "Malaysian mobile phone number"),
        ("hello", "Malaysian mobile phone number"),
    ],
)
def test_mobile_numbers_only(client, mobile, message):
    response = client.post(SIGNUP, signup_data(mobile=mobile))
    assert response.status_code == 200
    assert any(message in error for error in errors_for(response, "mobile"))
    assert f'value="{mobile}"' in response.content.decode()


def test_terms_must_be_accepted(client):
    response = client.post(SIGNUP, signup_data(agree_terms=None))
    assert errors_for(response, "agree_terms") == [str(forms.TERMS_REQUIRED)]


def test_robot_check_is_required(client):
    response = client.post(SIGNUP, signup_data(robot=""))
    assert errors_for(response, "robot") == [str(robot.ROBOT_REQUIRED)]


@pytest.mark.parametrize("payload", ["not-base64!", "eyJ4IjoxfQ==", "e30="])
def test_robot_check_refuses_garbage(client, payload):
    response = client.post(SIGNUP, signup_data(robot=payload))
    assert errors_for(response, "robot") == [str(robot.ROBOT_INVALID)]


def test_robot_check_refuses_a_wrong_number(client):
    challenge = robot.challenge_create()
    import altcha

    forged = altcha.Payload(
        challenge["algorithm"], challenge["challenge"], -1, challenge["salt"], challenge["signature"]
    ).to_base64()
    response = client.post(SIGNUP, signup_data(robot=forged))
    assert errors_for(response, "robot") == [str(robot.ROBOT_INVALID)]


def test_a_solved_robot_check_works_once(client):
    payload = robot_payload()
    assert client.post(SIGNUP, signup_data(robot=payload)).status_code == 302
    response = client.post(SIGNUP, signup_data(robot=payload, mobile="013-345 6789"))
    assert errors_for(response, "robot") == [str(robot.ROBOT_INVALID)]


def test_robot_widget_carries_a_signed_challenge(client):
    page = client.get(SIGNUP).content.decode()
    assert "data-challenge=" in page
    assert "signature" in page
    assert "cdn" not in page.lower()


# Accounts that already exist: checked only after the SMS code, so the form step tells nobody whether an
# IC number has an account.


@pytest.mark.parametrize(
    ("existing", "typed", "field", "message"),
    [
        (
            {"ic_number": "900101145567"},
            {"ic_number": "900101-14-5567"},
            "ic_number",
            services.SIGNUP_IC_TAKEN,
        ),
        (
            {"email": "aina.ahmad@example.test"},
            {"email": "AINA.AHMAD@EXAMPLE.TEST"},
            "email",
            services.SIGNUP_EMAIL_TAKEN,
        ),
        ({"mobile": "+60123456789"}, {"mobile": "+60 12-345 6789"}, "mobile", services.SIGNUP_MOBILE_TAKEN),
    ],
)
def test_details_of_an_existing_account_get_a_clear_message_after_the_code(
    client, sms_outbox, existing, typed, field, message
):
    UserFactory(**existing)
    assert client.post(SIGNUP, signup_data(**typed)).status_code == 302
    response = client.post(OTP, {"token": last_code(sms_outbox)})
    assert response["Location"] == SIGNUP
    response = client.get(SIGNUP)
    assert errors_for(response, field) == [str(message)]
    page = response.content.decode()
    assert "NUR AINA BINTI AHMAD" in page  # what was typed is kept
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_sign_up_step_is_the_same_for_known_and_unknown_ic(client):
    UserFactory(ic_number="900101145567")
    known = client.post(SIGNUP, signup_data(ic_number="900101145567", mobile="012-345 6789"))
    unknown = client.post(SIGNUP, signup_data(ic_number="900101145575", mobile="013-345 6789"))
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(known.content) == len(unknown.content)


def test_half_finished_sign_ups_do_not_block_the_real_owner(client, sms_outbox):
    client.post(SIGNUP, signup_data())  # someone starts, never finishes
    other = client.__class__()
    other.post(SIGNUP, signup_data(mobile="013-345 6789"))
    response = other.post(OTP, {"token": last_code(sms_outbox)})
    assert response["Location"] == "/accounts/signup/done/"
    assert User.objects.get().ic_number == "900101145567"


def test_code_page_without_a_sign_up_goes_back_to_the_form(client):
    assert client.get(OTP)["Location"] == SIGNUP


def test_resending_the_form_within_the_cooldown_sends_no_second_sms(client, sms_outbox):
    client.post(SIGNUP, signup_data())
    response = client.post(SIGNUP, signup_data(full_name="Nur Aina Ahmad"))
    assert response.status_code == 302
    assert len(sms_outbox) == 1
    device = SmsDevice.objects.get()
    assert device.signup == SignupRequest.objects.latest("pk")  # the code sent first now completes this one


def test_sign_up_done_page_and_inactive_account(client, signed_up):
    response = client.post(OTP, {"token": signed_up})
    assert response["Location"] == "/accounts/signup/done/"
    page = client.get("/accounts/signup/done/").content.decode()
    assert "Sign Up Successful" in page
    assert "Thank you for registering at MATRIX." in page
    assert "A verification email has been sent to your email." in page
    user = User.objects.get()
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.mobile == "+60123456789"
    assert user.email == "aina.ahmad@example.test"


def test_sign_up_done_is_not_reachable_directly(client, db):
    assert client.get("/accounts/signup/done/")["Location"] == "/accounts/login/"


def test_language_of_the_page_is_kept_for_sms_and_email(client, sms_outbox):
    client.cookies["matrix_language"] = "ms"
    client.post(SIGNUP, signup_data())
    assert SignupRequest.objects.get().language == "ms"
