"""SMS backends, chosen by settings.SMS_BACKEND: the dev outbox, in-memory for tests, or an HTTP gateway."""

import logging
from abc import ABC, abstractmethod

import requests
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class BaseSmsBackend(ABC):
    @abstractmethod
    def send(self, *, to: str, body: str) -> None:
        """Deliver one text message to an E.164 number, or raise SmsError."""


class MemoryBackend(BaseSmsBackend):
    """Keeps messages in `MemoryBackend.outbox` (tests empty it between tests)."""

    outbox: list[dict] = []

    def send(self, *, to, body):
        MemoryBackend.outbox.append({"to": to, "body": body})


class OutboxBackend(BaseSmsBackend):
    """Stores messages in the dev outbox database table."""

    def send(self, *, to, body):
        from matrix_portal.models import OutboxMessage

        OutboxMessage.objects.create(channel=OutboxMessage.Channel.SMS, recipient=to, body=body)


class HttpGatewayBackend(BaseSmsBackend):
    """POSTs to an SMS gateway: SMS_GATEWAY_URL with basic auth, fields to / from / text."""

    timeout = 10

    def send(self, *, to, body):
        if not settings.SMS_GATEWAY_URL:
            raise SmsError("SMS_GATEWAY_URL is not configured.")
        try:
            response = requests.post(
                settings.SMS_GATEWAY_URL,
                data={"to": to, "from": settings.SMS_SENDER_ID, "text": body},
                auth=(settings.SMS_GATEWAY_USERNAME, settings.SMS_GATEWAY_PASSWORD),
                timeout=self.timeout,
            )
            response.raise_for_status()
        except requests.RequestException as exc:
            logger.warning("SMS gateway refused a message: %s", type(exc).__name__)
            raise SmsError("The SMS gateway did not accept the message.") from exc


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> None:
    get_backend().send(to=str(to), body=body)
