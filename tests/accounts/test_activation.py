import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts import forms
from accounts.models import EmailToken, User

from .conftest import STRONG_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def activation_path(client, signed_up):
    client.post("/accounts/signup/otp/", {"token": signed_up})
    link = re.search(r"https?://\S+/accounts/activate/[0-9a-f]+/", mail.outbox[-1].body).group(0)
    return "/accounts/" + link.split("/accounts/", 1)[1]


def activate(client, path, **overrides):
    data = {"secret_phrase": "kucing oren", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    data.update(overrides)
    return client.post(path, data)


def test_activation_email_is_in_malay_and_english_as_in_the_seed(activation_path):
    message = mail.outbox[-1]
    assert message.subject == (
        "Pengaktifan Akaun Sistem Online PERKESO / PERKESO Online System Account Activation"
    )
    assert message.to == ["aina.ahmad@example.test"]
    body = message.body
    assert "Adalah dimaklumkan bahawa pendaftaran akaun Sistem Online PERKESO anda telah diterima." in body
    assert "Nombor Kad Pengenalan : 90********67" in body
    assert "Alamat E-mel : aina******@e******.test" in body
    assert "Nombor Telefon Bimbit : 012-*** **89" in body
    assert "PERKESO Online System Account Activation" in body
    assert "900101145567" not in body
    assert "aina.ahmad@example.test" not in body
    token = activation_path.rstrip("/").rsplit("/", 1)[1]
    assert len(token) == 64  # long and random, like the seed's link
    html = message.alternatives[0][0]
    assert ">disini</a>" in html and ">here</a>" in html


def test_only_a_digest_of_the_token_is_stored(activation_path):
    token = activation_path.rstrip("/").rsplit("/", 1)[1]
    stored = EmailToken.objects.get()
    assert stored.token_digest != token
    assert token not in stored.token_digest


def test_opening_the_link_changes_nothing(client, activation_path):
    response = client.get(activation_path)
    assert response.status_code == 200
    client.head(activation_path)
    user = User.objects.get()
    assert not user.is_active
    assert EmailToken.objects.get().used_at is None
    page = response.content.decode()
    assert "NUR AINA BINTI AHMAD" in page and "readonly" in page
    assert "012-345 6789" in page
    for label in ["Secret Phrase", "Password", "Password Confirm"]:
        assert label in page


def test_activation_sets_phrase_and_password_then_log_in_page(client, activation_path):
    response = activate(client, activation_path)
    assert response["Location"] == "/accounts/login/"
    user = User.objects.get()
    assert user.is_active and user.activated_at
    assert user.secret_phrase == "kucing oren"
    assert user.check_password(STRONG_PASSWORD)
    page = client.get("/accounts/login/").content.decode()
    assert "Success! Your MATRIX account is active." in page


def test_link_works_once(client, activation_path):
    activate(client, activation_path)
    again = client.get(activation_path)
    assert again.status_code == 410
    assert "This link is not valid" in again.content.decode()
    assert activate(client, activation_path, secret_phrase="other").status_code == 410
    assert User.objects.get().secret_phrase == "kucing oren"


def test_link_expires_after_24_hours(client, activation_path):
    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        assert client.get(activation_path).status_code == 410
        assert activate(client, activation_path).status_code == 410
    assert not User.objects.get().is_active


def test_link_still_works_just_before_24_hours(client, activation_path):
    with time_machine.travel(timezone.now() + timedelta(hours=23, minutes=59)):
        assert activate(client, activation_path)["Location"] == "/accounts/login/"


@pytest.mark.parametrize("token", ["0" * 64, "abc", "../../etc/passwd"])
def test_made_up_links_fail(client, activation_path, token):
    assert client.get(f"/accounts/activate/{token}/").status_code in (404, 410)


def test_mismatched_passwords(client, activation_path):
    response = activate(client, activation_path, password2=STRONG_PASSWORD + "x")
    assert response.status_code == 200
    assert str(forms.PASSWORDS_DIFFER) in response.content.decode()
    assert 'value="kucing oren"' in response.content.decode()  # the phrase is kept
    assert STRONG_PASSWORD not in response.content.decode()  # passwords are not
    assert not User.objects.get().is_active


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("12345678901", "entirely numeric"),
        ("Aina.Ahmad@example", "too similar"),
    ],
)
def test_weak_passwords_are_refused(client, activation_path, password, message):
    response = activate(client, activation_path, password1=password, password2=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.get().is_active


def test_long_passwords_and_any_characters_are_fine(client, activation_path):
    password = "Saya suka nasi lemak dan teh tarik 每天 ✓ " * 2
    assert activate(client, activation_path, password1=password, password2=password).status_code == 302
    assert User.objects.get().check_password(password)


def test_a_new_activation_link_replaces_the_old_one(client, activation_path):
    from accounts import services

    services.activation_link_send(user=User.objects.get())
    assert client.get(activation_path).status_code == 410


def test_production_hashes_passwords_with_argon2():
    from matrix_portal.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
