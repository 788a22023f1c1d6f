import pytest
from django.core import mail
from django.core.mail import send_mail
from django.urls import reverse

from matrix_portal.models import OutboxMessage
from matrix_portal.outbox import OutboxEmailBackend
from matrix_portal.sms import OutboxBackend

pytestmark = pytest.mark.django_db


def test_outbox_shows_sms_and_email_newest_first(client, settings):
    OutboxBackend().send(to="+60123456789", body="RMO MX:MATRIX: Your OTP requested is 123456")
    settings.EMAIL_BACKEND = "matrix_portal.outbox.OutboxEmailBackend"
    send_mail("Activation", "Open https://example.test/activate/abc", None, ["a@example.test"])
    assert OutboxMessage.objects.count() == 2

    body = client.get(reverse("dev_outbox")).content.decode()
    assert body.index("a@example.test") < body.index("+60123456789")
    assert "123456" in body


def test_outbox_escapes_what_it_shows(client):
    OutboxBackend().send(to="+60123456789", body="<script>alert(1)</script>")
    body = client.get(reverse("dev_outbox")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_outbox_is_404_when_disabled(client, settings):
    settings.DEV_OUTBOX_ENABLED = False
    assert client.get("/dev/outbox/").status_code == 404


def test_outbox_backend_counts_messages():
    sent = OutboxEmailBackend().send_messages(
        [mail.EmailMessage("s", "b", "f@x.test", ["t@x.test", "u@x.test"])]
    )
    assert sent == 1
    assert OutboxMessage.objects.filter(channel="email").count() == 2
