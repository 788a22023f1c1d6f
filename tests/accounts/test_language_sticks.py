"""A person's language sticks: the cookie before log-in, the account's preference after it (over the cookie),
and the account's preference for what is sent by e-mail even when the page asking was in another language."""

import pytest
from django.conf import settings
from django.core import mail

from accounts import services as account_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"


def test_the_cookie_sets_the_language_before_log_in(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get("/accounts/login/")
    assert '<html lang="zh-hans">' in response.content.decode()


def test_after_log_in_the_accounts_language_wins_over_the_cookie(client):
    person = UserFactory(language="ms")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.post("/accounts/login/", {"ic_number": person.ic_number})
    response = client.post("/accounts/login/password/", {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/mode/"
    assert '<html lang="ms">' in response.content.decode()
    assert '<html lang="ms">' in client.get("/self-employed/").content.decode()

    client.post("/accounts/logout/")
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_password_email_follows_the_accounts_language_not_the_page(client, monkeypatch):
    person = UserFactory(language="zh-hans")
    sent_in = []
    real_send = account_services._send_mail

    def send(**kwargs):
        sent_in.append((kwargs["to"], kwargs["language"]))
        real_send(**kwargs)

    monkeypatch.setattr(account_services, "_send_mail", send)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post("/accounts/forgot-password/", {"ic_number": person.ic_number})
    assert sent_in == [(person.email, "zh-hans")]
    assert mail.outbox[-1].to == [person.email]
