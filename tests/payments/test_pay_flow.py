"""Pay Now -> PAY WITH FPX -> the signed AR auto-posted to the gateway."""

import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from contributions.models import Contribution
from matrix_portal.errors import ApplicationError
from payments import fpx, keys, services
from payments.forms import MESSAGE_ACKNOWLEDGE, MESSAGE_BANK_OFFLINE
from payments.models import Bank, GatewayMessage, Payment, PaymentStatusChange
from tests.factories import ContributionFactory, PaymentFactory, UserFactory, sector

pytestmark = pytest.mark.django_db


def pay_now_url(contribution):
    return reverse("payments:pay_now", kwargs={"contribution_id": contribution.pk})


def bank_url(contribution):
    return reverse("payments:select_bank", kwargs={"contribution_id": contribution.pk})


@pytest.fixture
def contribution(client):
    contribution = ContributionFactory(months=4)
    client.force_login(contribution.person)
    return contribution


def acknowledge(client, contribution):
    response = client.post(pay_now_url(contribution), {"acknowledge": "on", "payment_type": "fpx"})
    assert response.status_code == 302
    assert response["Location"] == bank_url(contribution)


def key_from(response) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', response.content.decode()).group(1)


def test_pay_now_shows_terms_checkbox_payment_type_and_buttons(client, contribution):
    page = client.get(pay_now_url(contribution)).content.decode()
    assert "Contribution:" in page and "RM 77.60" in page
    assert "Terms and Conditions" in page
    assert "I acknowledge that I have read and agree to the above Terms and Conditions" in page
    assert "Internet Banking" in page
    assert "Pay with FPX" in page and "Back" in page


def test_pay_now_without_the_acknowledgement_stays_with_an_error(client, contribution):
    response = client.post(pay_now_url(contribution), {"payment_type": "fpx"})
    assert response.status_code == 200
    assert str(MESSAGE_ACKNOWLEDGE) in response.content.decode()
    assert client.get(bank_url(contribution)).status_code == 302  # bank page needs the acknowledgement


def test_bank_page_lists_offline_banks_as_not_choosable(client, contribution):
    Bank.objects.filter(fpx_id="MB2U0227").update(status=Bank.Status.OFFLINE)
    Bank.objects.filter(fpx_id="HSBC0223").update(is_listed=False)
    acknowledge(client, contribution)
    page = client.get(bank_url(contribution)).content.decode()
    assert "PAY WITH FPX" in page
    assert re.search(r'<option value="MB2U0227"[^>]*disabled[^>]*>Maybank2U \(Offline\)</option>', page)
    assert '<option value="ABB0233">Affin Bank</option>' in page
    assert "HSBC0223" not in page
    response = client.post(bank_url(contribution), {"bank": "MB2U0227", "idempotency_key": str(uuid.uuid4())})
    assert str(MESSAGE_BANK_OFFLINE) in response.content.decode()
    assert not Payment.objects.exists()


def test_paying_creates_a_pending_attempt_and_auto_posts_the_signed_ar(client, contribution, settings):
    acknowledge(client, contribution)
    key = key_from(client.get(bank_url(contribution)))
    response = client.post(bank_url(contribution), {"bank": "ABB0233", "idempotency_key": key})
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:to_gateway", kwargs={"payment_id": payment.pk})
    assert payment.status == Payment.Status.PENDING and payment.amount == Decimal("77.60")
    assert payment.seller_order_no and payment.exchange_order_no and payment.seller_txn_time
    assert PaymentStatusChange.objects.filter(payment=payment, to_status="pending").count() == 1

    page = client.get(response["Location"]).content.decode()
    assert f'action="{settings.FPX_AR_URL}"' in page
    assert "data-autosubmit" in page and "Continue to FPX" in page  # the button works without JavaScript
    posted = dict(re.findall(r'<input type="hidden" name="(fpx_\w+)" value="([^"]*)">', page))
    assert set(posted) == {*fpx.AR_FIELDS, "fpx_checkSum"}
    assert posted["fpx_txnAmount"] == "77.60" and posted["fpx_buyerBankId"] == "ABB0233"
    assert posted["fpx_sellerExOrderNo"] == payment.exchange_order_no
    source = fpx.source_string(posted, fpx.AR_FIELDS)
    assert fpx.verify(source, posted["fpx_checkSum"], [keys.merchant_private_key().public_key()])
    assert GatewayMessage.objects.filter(payment=payment, msg_type="AR", direction="out").count() == 1


def test_double_clicked_pay_gives_one_attempt(client, contribution):
    acknowledge(client, contribution)
    key = key_from(client.get(bank_url(contribution)))
    first = client.post(bank_url(contribution), {"bank": "ABB0233", "idempotency_key": key})
    second = client.post(bank_url(contribution), {"bank": "ABB0233", "idempotency_key": key})
    assert first["Location"] == second["Location"]
    assert Payment.objects.count() == 1


def test_second_attempt_while_one_is_pending_is_refused_cleanly(client, contribution):
    acknowledge(client, contribution)
    client.post(bank_url(contribution), {"bank": "ABB0233", "idempotency_key": str(uuid.uuid4())})
    response = client.post(bank_url(contribution), {"bank": "ABB0233", "idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 200
    assert str(services.MESSAGE_PAYMENT_IN_PROGRESS) in response.content.decode()
    assert Payment.objects.count() == 1


def test_an_idempotency_key_cannot_be_replayed_on_another_contribution(contribution):
    bank = Bank.objects.get(fpx_id="ABB0233")
    key = str(uuid.uuid4())
    services.payment_start_fpx(contribution=contribution, bank=bank, idempotency_key=key)
    other = ContributionFactory(
        registration__person=contribution.person, registration__sector=sector("agent")
    )
    with pytest.raises(ApplicationError) as error:
        services.payment_start_fpx(contribution=other, bank=bank, idempotency_key=key)
    assert error.value.code == "key_reused"


def test_bad_idempotency_key_is_refused(client, contribution):
    acknowledge(client, contribution)
    response = client.post(bank_url(contribution), {"bank": "ABB0233", "idempotency_key": "not-a-uuid"})
    assert response.status_code == 200
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "amount, code",
    [
        ("0.99", "amount_out_of_range"),
        ("30000.01", "amount_out_of_range"),
        ("10.005", "amount_invalid"),
        ("-1", "amount_out_of_range"),
        ("0", "amount_out_of_range"),
        ("NaN", "amount_invalid"),
        ("Infinity", "amount_invalid"),
        ("-Infinity", "amount_invalid"),
        ("1e3x", "amount_invalid"),
        ("", "amount_invalid"),
    ],
)
def test_amounts_outside_fpx_limits_are_refused_before_anything_is_sent(amount, code):
    with pytest.raises(ApplicationError) as error:
        services.payment_check_fpx_amount(amount=amount)
    assert error.value.code == code


def test_amount_limits_are_inclusive():
    assert services.payment_check_fpx_amount(amount="1.00") == Decimal("1.00")
    assert services.payment_check_fpx_amount(amount=Decimal("30000.00")) == Decimal("30000.00")
    with pytest.raises(ApplicationError):
        services.payment_check_fpx_amount(amount=1.5)  # floats never


def test_pay_now_refuses_an_amount_above_the_fpx_limit(client, contribution):
    Contribution.objects.filter(pk=contribution.pk).update(amount=Decimal("30000.01"))
    response = client.get(pay_now_url(contribution))
    assert str(services.MESSAGE_AMOUNT_OUT_OF_RANGE) in response.content.decode()
    assert "Pay with FPX" not in response.content.decode()
    response = client.post(pay_now_url(contribution), {"acknowledge": "on", "payment_type": "fpx"})
    assert response.status_code == 200
    with pytest.raises(ApplicationError):
        contribution.refresh_from_db()
        services.payment_start_fpx(
            contribution=contribution,
            bank=Bank.objects.get(fpx_id="ABB0233"),
            idempotency_key=str(uuid.uuid4()),
        )
    assert not Payment.objects.exists()


def test_pages_are_404_for_another_persons_contribution_or_payment(client):
    payment = PaymentFactory()
    client.force_login(UserFactory())
    contribution_id = payment.contribution_id
    for name, kwargs in [
        ("payments:pay_now", {"contribution_id": contribution_id}),
        ("payments:select_bank", {"contribution_id": contribution_id}),
        ("payments:details", {"payment_id": payment.pk}),
        ("payments:to_gateway", {"payment_id": payment.pk}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name
    assert client.post(reverse("payments:check_status", kwargs={"payment_id": payment.pk})).status_code == 404


def test_payment_pages_need_a_login(client, settings):
    settings.LOGIN_URL = "/"
    payment = PaymentFactory()
    response = client.get(reverse("payments:details", kwargs={"payment_id": payment.pk}))
    assert response.status_code == 302


def test_to_gateway_after_the_attempt_is_settled_goes_to_details(client, contribution):
    payment = PaymentFactory(contribution=contribution, status=Payment.Status.FAILED, debit_auth_code="51")
    response = client.get(reverse("payments:to_gateway", kwargs={"payment_id": payment.pk}))
    assert response["Location"] == reverse("payments:details", kwargs={"payment_id": payment.pk})


def test_gateway_form_page_allows_the_form_target_in_its_csp(client, contribution):
    acknowledge(client, contribution)
    response = client.post(bank_url(contribution), {"bank": "ABB0233", "idempotency_key": str(uuid.uuid4())})
    page = client.get(response["Location"])
    policy = page["Content-Security-Policy"]
    assert "form-action 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script src=" in page.content.decode() and "onload" not in page.content.decode()
