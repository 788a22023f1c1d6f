from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import services, tasks
from accounts.models import EmailToken, SignupRequest, SmsSendLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_old_unfinished_sign_ups_and_counters_are_deleted(client, signed_up):
    user = UserFactory()
    services.email_token_create(user=user, purpose=EmailToken.Purpose.RESET_PASSWORD)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert services.account_records_purge() == {
            "signup_requests": 0,
            "sms_send_log": 0,
            "email_tokens": 0,
        }
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        deleted = tasks.purge_account_records.delay().get()
    assert deleted == {"signup_requests": 1, "sms_send_log": 1, "email_tokens": 1}
    assert not SignupRequest.objects.exists()
    assert not SmsSendLog.objects.exists()


def test_completed_sign_ups_are_kept(client, signed_up):
    client.post("/accounts/signup/otp/", {"token": signed_up})
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert services.account_records_purge()["signup_requests"] == 0
