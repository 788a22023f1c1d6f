"""The direct and indirect AC endpoints: verified, matched, applied exactly once, never downgraded."""

import datetime as dt

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contributions.models import Contribution
from payments import codes, fpx
from payments.models import GatewayMessage, Payment, PaymentStatusChange
from receipts.models import Receipt
from tests.factories import PaymentFactory, UserFactory

pytestmark = pytest.mark.django_db

DIRECT = reverse("payments:fpx_direct")
RETURN = reverse("payments:fpx_return")


def post(client, url, fields):
    return client.post(url, fields)


def flip_last_bit(checksum: str) -> str:
    return checksum[:-1] + f"{int(checksum[-1], 16) ^ 1:X}"


def assert_untouched(payment):
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not Receipt.objects.exists()
    assert payment.contribution.status == Contribution.Status.SUBMITTED


def test_approved_direct_ac_pays_activates_and_numbers_the_receipt(client, pending_payment, sign_ac):
    response = post(client, DIRECT, sign_ac(pending_payment))
    assert response.status_code == 200
    assert response.content == b"OK"
    assert response["Content-Type"].startswith("text/plain")
    payment = Payment.objects.get(pk=pending_payment.pk)
    assert payment.status == Payment.Status.PAID and payment.paid_at
    assert payment.fpx_txn_id == "2611211550270891"
    contribution = payment.contribution
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.ACTIVE
    assert contribution.coverage_start == payment.paid_at.replace(microsecond=0)
    receipt = Receipt.objects.get(payment=payment)
    assert receipt.fpx_txn_id == payment.fpx_txn_id and receipt.payment_method_label == "Portal MATRIX - FPX"
    changes = list(PaymentStatusChange.objects.filter(payment=payment).values_list("to_status", "source"))
    assert changes == [("paid", "direct")]
    message = GatewayMessage.objects.get(direction="in")
    assert message.signature_valid is True and message.payment == payment and message.channel == "direct"


def test_the_same_ac_a_hundred_times_has_one_effect_and_is_always_answered_ok(
    client, pending_payment, sign_ac
):
    ac = sign_ac(pending_payment)
    for _attempt in range(100):
        assert post(client, DIRECT, ac).content == b"OK"
    assert Receipt.objects.count() == 1
    assert PaymentStatusChange.objects.filter(to_status="paid").count() == 1
    assert GatewayMessage.objects.filter(direction="in").count() == 100


def test_replay_ten_minutes_later_is_answered_ok_with_no_new_effect(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment)
    post(client, DIRECT, ac)
    paid_at = Payment.objects.get(pk=pending_payment.pk).paid_at
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        assert post(client, DIRECT, ac).content == b"OK"
        assert post(client, RETURN, ac).status_code == 303
    payment = Payment.objects.get(pk=pending_payment.pk)
    assert payment.paid_at == paid_at
    assert Receipt.objects.count() == 1


def test_direct_then_indirect_in_either_order_changes_state_once(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment)
    assert post(client, RETURN, ac).status_code == 303
    assert post(client, DIRECT, ac).content == b"OK"
    assert Receipt.objects.count() == 1
    assert PaymentStatusChange.objects.filter(to_status="paid").get().source == "indirect"


def test_flipped_checksum_bit_is_refused_and_stored(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment)
    ac["fpx_checkSum"] = flip_last_bit(ac["fpx_checkSum"])
    response = post(client, DIRECT, ac)
    assert response.status_code == 400 and response.content != b"OK"
    assert_untouched(pending_payment)
    message = GatewayMessage.objects.get(direction="in")
    assert message.signature_valid is False and message.note == "signature did not verify"
    assert message.fields["fpx_checkSum"] == ac["fpx_checkSum"]


def test_lowercase_hex_checksum_is_accepted(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment)
    ac["fpx_checkSum"] = ac["fpx_checkSum"].lower()
    assert post(client, DIRECT, ac).content == b"OK"


def test_order_a_signature_on_order_b_is_refused(client, pending_payment, sign_ac):
    other = PaymentFactory(seller_txn_time=pending_payment.seller_txn_time)
    ac_b = sign_ac(other)
    ac_a = sign_ac(pending_payment)
    forged = {**ac_b, "fpx_checkSum": ac_a["fpx_checkSum"]}
    assert post(client, DIRECT, forged).status_code == 400
    assert_untouched(other)
    assert_untouched(pending_payment)


def test_amount_changed_with_the_old_signature_is_refused(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment)
    ac["fpx_txnAmount"] = "1.00"
    assert post(client, DIRECT, ac).status_code == 400
    assert_untouched(pending_payment)


def test_validly_signed_ac_with_another_amount_is_refused(client, pending_payment, sign_ac):
    assert post(client, DIRECT, sign_ac(pending_payment, fpx_txnAmount="1.00")).status_code == 400
    assert_untouched(pending_payment)
    assert GatewayMessage.objects.get(direction="in").note == "amount does not match"


@pytest.mark.parametrize("amount", ["10.005", "-1", "0", "NaN", "Infinity", "77.6", "77.600", "1e3"])
def test_signed_ac_with_a_hostile_amount_is_refused(client, pending_payment, sign_ac, amount):
    assert post(client, DIRECT, sign_ac(pending_payment, fpx_txnAmount=amount)).status_code == 400
    assert_untouched(pending_payment)


def test_unknown_order_is_refused(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment, fpx_sellerExOrderNo="NOSUCHORDER")
    assert post(client, DIRECT, ac).status_code == 400
    assert GatewayMessage.objects.get(direction="in").note == "unknown order"
    assert_untouched(pending_payment)


def test_wrong_currency_is_refused(client, pending_payment, sign_ac):
    assert post(client, DIRECT, sign_ac(pending_payment, fpx_txnCurrency="USD")).status_code == 400
    assert_untouched(pending_payment)


@pytest.mark.parametrize(
    "overrides",
    [
        {"fpx_sellerExId": "EX99999999"},
        {"fpx_sellerId": "SE99999999"},
        {"fpx_msgToken": "02"},
        {"fpx_sellerOrderNo": "SOMEONE-ELSE"},
        {"fpx_sellerTxnTime": "20000101000000"},
    ],
)
def test_signed_ac_for_another_seller_or_transaction_is_refused(client, pending_payment, sign_ac, overrides):
    assert post(client, DIRECT, sign_ac(pending_payment, **overrides)).status_code == 400
    assert_untouched(pending_payment)


def test_ac_signed_with_another_key_is_refused(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = fpx.sign_message(ac, "AC", stranger)
    assert post(client, DIRECT, forged).status_code == 400
    assert_untouched(pending_payment)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"fpx_msgType": "AC"},
        {"fpx_msgType": "AR", "fpx_checkSum": "00"},
        {"fpx_msgType": "AC", "fpx_checkSum": "<script>alert(1)</script>"},
        {"fpx_msgType": "AC", "fpx_txnAmount": "9" * 5000, "fpx_checkSum": "AB"},
    ],
)
def test_hostile_bodies_are_refused_and_stored_without_errors(client, pending_payment, body):
    assert post(client, DIRECT, body).status_code == 400
    response = post(client, RETURN, body)
    assert response.status_code == 303 and response["Location"] == reverse("payments:return_unconfirmed")
    assert GatewayMessage.objects.filter(direction="in").exclude(signature_valid=True).count() == 2
    assert_untouched(pending_payment)


def test_repeated_fields_are_refused(client, pending_payment, sign_ac):
    ac = sign_ac(pending_payment)
    body = "&".join(f"{k}={v}" for k, v in ac.items()) + "&fpx_debitAuthCode=51"
    response = client.post(DIRECT, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert_untouched(pending_payment)


def test_get_is_not_allowed(client):
    assert client.get(DIRECT).status_code == 405
    assert client.get(RETURN).status_code == 405


def test_approved_then_pending_stays_paid(client, pending_payment, sign_ac):
    post(client, DIRECT, sign_ac(pending_payment))
    assert post(client, DIRECT, sign_ac(pending_payment, code="09")).content == b"OK"
    assert Payment.objects.get(pk=pending_payment.pk).status == Payment.Status.PAID


def test_approved_then_failure_stays_paid_and_is_logged(client, pending_payment, sign_ac, caplog):
    post(client, DIRECT, sign_ac(pending_payment))
    assert post(client, DIRECT, sign_ac(pending_payment, code="51")).content == b"OK"
    assert post(client, RETURN, sign_ac(pending_payment, code="1M")).status_code == 303
    payment = Payment.objects.get(pk=pending_payment.pk)
    assert payment.status == Payment.Status.PAID and payment.debit_auth_code == "00"
    assert "Paid is final" in caplog.text
    assert PaymentStatusChange.objects.filter(payment=payment).count() == 1


def test_pending_keeps_the_payment_pending(client, pending_payment, sign_ac):
    assert post(client, DIRECT, sign_ac(pending_payment, code="09")).content == b"OK"
    payment = Payment.objects.get(pk=pending_payment.pk)
    assert payment.status == Payment.Status.PENDING and payment.debit_auth_code == "09"


@pytest.mark.parametrize("code", ["51", "BC", "1C", "1M", "90", "76", "XX"])
def test_failures_fail_the_attempt_with_a_reason(client, pending_payment, sign_ac, code):
    assert post(client, DIRECT, sign_ac(pending_payment, code=code)).content == b"OK"
    payment = Payment.objects.get(pk=pending_payment.pk)
    assert payment.status == Payment.Status.FAILED and payment.debit_auth_code == code
    assert payment.failure_reason.startswith(code)
    assert payment.contribution.status == Contribution.Status.SUBMITTED


def test_failed_then_verified_late_approval_pays(client, pending_payment, sign_ac):
    post(client, DIRECT, sign_ac(pending_payment, code="1M"))
    post(client, DIRECT, sign_ac(pending_payment))
    payment = Payment.objects.get(pk=pending_payment.pk)
    assert payment.status == Payment.Status.PAID
    assert list(payment.status_changes.values_list("to_status", flat=True)) == ["failed", "paid"]


def test_approval_of_a_second_attempt_after_the_contribution_was_paid_needs_a_refund(
    client, pending_payment, sign_ac
):
    post(client, DIRECT, sign_ac(pending_payment, code="1M"))
    second = PaymentFactory(contribution=pending_payment.contribution, seller_txn_time="20261121160000")
    post(client, DIRECT, sign_ac(second))
    assert post(client, DIRECT, sign_ac(pending_payment)).content == b"OK"
    first = Payment.objects.get(pk=pending_payment.pk)
    assert first.status == Payment.Status.FAILED
    assert Payment.objects.get(pk=second.pk).status == Payment.Status.PAID
    assert Receipt.objects.count() == 1


def test_browser_return_saying_approved_without_valid_signature_changes_nothing(
    client, pending_payment, sign_ac
):
    ac = sign_ac(pending_payment)
    ac["fpx_checkSum"] = flip_last_bit(ac["fpx_checkSum"])
    response = post(client, RETURN, ac)
    assert response.status_code == 303
    assert response["Location"] == reverse("payments:return_unconfirmed")
    assert_untouched(pending_payment)
    assert "could not confirm" in client.get(response["Location"]).content.decode()


def test_browser_return_with_an_unsigned_approval_and_no_direct_ac_is_not_paid(
    client, pending_payment, sign_ac
):
    ac = sign_ac(pending_payment)
    del ac["fpx_checkSum"]
    post(client, RETURN, ac)
    assert_untouched(pending_payment)


def test_verified_browser_return_applies_and_redirects_to_the_details_page(client, pending_payment, sign_ac):
    client.force_login(pending_payment.contribution.person)
    response = post(client, RETURN, sign_ac(pending_payment))
    assert response.status_code == 303
    assert response["Location"] == reverse("payments:details", kwargs={"payment_id": pending_payment.pk})
    page = client.get(response["Location"]).content.decode()
    assert "Paid" in page and Receipt.objects.get().number in page


def test_return_for_someone_elses_payment_shows_them_nothing(client, pending_payment, sign_ac):
    client.force_login(UserFactory())
    response = post(client, RETURN, sign_ac(pending_payment, code="51"))
    assert client.get(response["Location"]).status_code == 404


def test_failure_reason_is_shown_in_the_persons_language(client, pending_payment, sign_ac):
    person = pending_payment.contribution.person
    person.language = "ms"
    person.save()
    client.force_login(person)
    post(client, DIRECT, sign_ac(pending_payment, code="51"))
    page = client.get(reverse("payments:details", kwargs={"payment_id": pending_payment.pk})).content.decode()
    assert 'lang="ms"' in page
    with translation.override("ms"):
        assert str(codes.MESSAGE_INSUFFICIENT_FUNDS) in page
        assert str(_("Make another payment")) in page
