import pytest
from django.urls import reverse

from payments.models import GatewayMessage
from tests.factories import PaymentFactory, StaffFactory, admin_force_login

pytestmark = pytest.mark.django_db


def test_payments_and_gateway_messages_are_readable_in_the_admin(client, pending_payment, sign_ac):
    client.post(reverse("payments:fpx_direct"), sign_ac(pending_payment))
    admin = StaffFactory(is_superuser=True)
    admin_force_login(client, admin)
    for name in ("admin:payments_payment_changelist", "admin:payments_gatewaymessage_changelist"):
        assert client.get(reverse(name)).status_code == 200
    page = client.get(reverse("admin:payments_payment_change", args=[pending_payment.pk]))
    assert page.status_code == 200 and "paid" in page.content.decode()
    message = GatewayMessage.objects.first()
    assert client.get(reverse("admin:payments_gatewaymessage_change", args=[message.pk])).status_code == 200
    assert (
        client.post(reverse("admin:payments_payment_delete", args=[PaymentFactory().pk])).status_code == 403
    )
