import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone

from accounts import views
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORGOT = "/accounts/forgot-password/"
NEW_PASSWORD = "Teh-Tarik-Kurang-Manis-7"


@pytest.fixture
def person():
    return UserFactory(ic_number="790811087654", email="siti@example.test")


def reset_path():
    link = re.search(r"https?://\S+/accounts/reset-password/[0-9a-f]+/", mail.outbox[-1].body).group(0)
    return "/accounts/" + link.split("/accounts/", 1)[1]


def test_same_answer_whether_or_not_the_ic_has_an_account(client, person):
    known = client.post(FORGOT, {"ic_number": "790811-08-7654"})
    unknown = client.post(FORGOT, {"ic_number": "900101145567"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/forgot-password/sent/"
    assert len(known.content) == len(unknown.content)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["siti@example.test"]


def test_sent_page_does_not_say_whether_the_account_exists(client):
    page = client.get("/accounts/forgot-password/sent/").content.decode()
    assert "If this IC number has a MATRIX account" in page


def test_reset_link_sets_a_new_password_once(client, person, django_capture_on_commit_callbacks):
    client.post(FORGOT, {"ic_number": "790811087654"})
    path = reset_path()
    assert client.get(path).status_code == 200
    assert User.objects.get().check_password("Correct-Horse-Battery-9")  # GET changed nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/login/"
    assert User.objects.get().check_password(NEW_PASSWORD)
    assert client.get(path).status_code == 410
    assert mail.outbox[-1].subject == "MATRIX: your account was changed"  # the owner is told
    assert "the password of your MATRIX account was changed" in mail.outbox[-1].body


def test_reset_link_expires_after_an_hour(client, person):
    client.post(FORGOT, {"ic_number": "790811087654"})
    path = reset_path()
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        assert client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 410


def test_reset_ends_every_session(client, person):
    other = client.__class__()
    other.post("/accounts/login/", {"ic_number": "790811087654"})
    other.post("/accounts/login/password/", {"password": "Correct-Horse-Battery-9"})
    key = other.session.session_key
    client.post(FORGOT, {"ic_number": "790811087654"})
    client.post(reset_path(), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not Session.objects.filter(session_key=key).exists()


def test_weak_or_mismatched_new_password(client, person):
    client.post(FORGOT, {"ic_number": "790811087654"})
    path = reset_path()
    assert (
        "too common"
        in client.post(path, {"password1": "password1", "password2": "password1"}).content.decode()
    )
    assert "not the same" in client.post(path, {"password1": NEW_PASSWORD, "password2": "x"}).content.decode()


def test_account_never_activated_gets_a_new_activation_link(client):
    user = UserFactory(ic_number="790811087654", is_active=False, secret_phrase="")
    user.set_unusable_password()
    user.save()
    client.post(FORGOT, {"ic_number": "790811087654"})
    assert "Pengaktifan Akaun" in mail.outbox[-1].subject
    assert "/accounts/activate/" in mail.outbox[-1].body


def test_disabled_account_gets_nothing(client):
    UserFactory(ic_number="790811087654", is_active=False, activated_at=timezone.now())
    response = client.post(FORGOT, {"ic_number": "790811087654"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_bad_ic_gets_a_message(client):
    response = client.post(FORGOT, {"ic_number": "12345"})
    assert response.status_code == 200
    assert response.context["form"].errors["ic_number"]


def test_forgot_password_is_rate_limited(client, settings, db):
    settings.FORGOT_PASSWORD_MAX_PER_IP = 2
    for _ in range(2):
        client.post(FORGOT, {"ic_number": "900101145567"})
    response = client.post(FORGOT, {"ic_number": "900101145567"})
    assert response.status_code == 429
    assert str(views.TOO_MANY_REQUESTS) in response.content.decode()
