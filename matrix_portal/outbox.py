"""The development outbox: an e-mail backend that stores every message for /dev/outbox/."""

from django.core.mail.backends.base import BaseEmailBackend


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from matrix_portal.models import OutboxMessage

        sent = 0
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            for recipient in message.recipients():
                OutboxMessage.objects.create(
                    channel=OutboxMessage.Channel.EMAIL,
                    recipient=recipient,
                    subject=message.subject,
                    body=message.body,
                    html_body=html,
                )
            sent += 1
        return sent
