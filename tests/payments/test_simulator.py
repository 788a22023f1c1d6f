"""The FPX simulator end to end through the test client: AR in, fake bank, direct and indirect AC out."""

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from contributions.models import Contribution
from payments import fpx, keys, services
from payments.models import Bank, GatewayMessage, Payment, SimulatedBank, SimulatedTransaction
from payments.simulator import services as simulator
from receipts.models import Receipt
from tests.factories import ContributionFactory

pytestmark = pytest.mark.django_db

AR_PATH = reverse("fpx_simulator:seller_receiver")


@pytest.fixture
def payment():
    contribution = ContributionFactory(months=4)
    bank = Bank.objects.get(fpx_id="ABB0233")
    return services.payment_start_fpx(contribution=contribution, bank=bank, idempotency_key=str(uuid.uuid4()))


def hidden_fields(page: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(fpx_\w+)" value="([^"]*)">', page))


def walk_to_confirm(client, payment) -> SimulatedTransaction:
    response = client.post(AR_PATH, services.payment_ar(payment=payment))
    assert response.status_code == 303
    txn = SimulatedTransaction.objects.get(exchange_order_no=payment.exchange_order_no)
    assert response["Location"] == reverse("fpx_simulator:login", kwargs={"token": txn.token})
    login = client.get(response["Location"]).content.decode()
    assert "Affin Bank" in login and "77.60" in login
    response = client.post(response["Location"], {"username": "anyone", "password": "anything"})
    tac_page = client.get(response["Location"]).content.decode()
    assert txn.tac in tac_page
    wrong = client.post(response["Location"], {"tac": "000000" if txn.tac != "000000" else "111111"})
    assert "The TAC is not correct." in wrong.content.decode()
    response = client.post(response["Location"], {"tac": txn.tac})
    assert response["Location"] == reverse("fpx_simulator:confirm", kwargs={"token": txn.token})
    return txn


def choose(client, txn, outcome, delivery="normal"):
    url = reverse("fpx_simulator:confirm", kwargs={"token": txn.token})
    response = client.post(url, {"outcome": outcome, "delivery": delivery})
    return client.get(response["Location"]).content.decode()


def test_approved_sends_the_direct_ac_and_returns_the_browser_with_the_indirect_ac(client, payment, settings):
    txn = walk_to_confirm(client, payment)
    page = choose(client, txn, "00")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID  # the direct AC arrived before the browser came back
    txn.refresh_from_db()
    assert txn.direct_ac_attempts == 1 and txn.direct_ac_acknowledged_at
    assert f'action="{settings.FPX_INDIRECT_AC_URL}"' in page and "Continue with transaction" in page
    fields = hidden_fields(page)
    assert fields["fpx_debitAuthCode"] == "00" and len(fields["fpx_fpxTxnId"]) == 16
    response = client.post(reverse("payments:fpx_return"), fields)
    assert response["Location"] == reverse("payments:details", kwargs={"payment_id": payment.pk})
    assert Receipt.objects.count() == 1
    assert payment.fpx_txn_id == txn.fpx_txn_id


@pytest.mark.parametrize("outcome", ["51", "BC", "1M", "90"])
def test_failures_reach_the_portal(client, payment, outcome):
    txn = walk_to_confirm(client, payment)
    choose(client, txn, outcome)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and payment.debit_auth_code == outcome


def test_cancel_at_the_bank_login(client, payment):
    client.post(AR_PATH, services.payment_ar(payment=payment))
    txn = SimulatedTransaction.objects.get()
    response = client.post(reverse("fpx_simulator:login", kwargs={"token": txn.token}), {"cancel": "1"})
    assert response["Location"] == reverse("fpx_simulator:done", kwargs={"token": txn.token})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and payment.debit_auth_code == "1C"


def test_dropped_direct_ac_leaves_the_browser_return_to_confirm(client, payment):
    txn = walk_to_confirm(client, payment)
    page = choose(client, txn, "00", delivery="drop")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    client.post(reverse("payments:fpx_return"), hidden_fields(page))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_duplicated_direct_ac_is_answered_ok_twice_with_one_effect(client, payment):
    txn = walk_to_confirm(client, payment)
    choose(client, txn, "00", delivery="duplicate")
    txn.refresh_from_db()
    assert txn.direct_ac_attempts == 2
    assert Receipt.objects.count() == 1
    assert (
        GatewayMessage.objects.filter(direction="in", channel="direct", note="repeat of the approval").count()
        == 1
    )


def test_delayed_direct_ac_is_sent_later_from_the_console(client, payment):
    txn = walk_to_confirm(client, payment)
    choose(client, txn, "00", delivery="delay")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    client.post(reverse("fpx_simulator:console"), {"action": "resend", "txn": txn.pk})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_direct_ac_is_retried_until_the_merchant_answers_ok(payment, fpx_transport, monkeypatch):
    client_transport = fpx_transport
    answers = iter([(500, "oops"), (200, "NOT OK"), None])

    def flaky(url, data, timeout):
        answer = next(answers)
        return answer if answer else client_transport(url, data, timeout)

    monkeypatch.setattr("payments.gateway.transport", flaky)
    txn = SimulatedTransaction.objects.create(
        token="t",
        exchange_order_no=payment.exchange_order_no,
        seller_order_no=payment.seller_order_no,
        request=services.payment_ar(payment=payment),
        bank_id="ABB0233",
    )
    simulator.simulator_complete(txn=txn, code="00")
    txn.refresh_from_db()
    assert txn.direct_ac_attempts == 3 and txn.direct_ac_acknowledged_at
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID


def test_the_same_ar_posted_twice_continues_the_same_bank_session(client, payment):
    first = client.post(AR_PATH, services.payment_ar(payment=payment))
    second = client.post(AR_PATH, services.payment_ar(payment=payment))
    assert first["Location"] == second["Location"]
    assert SimulatedTransaction.objects.count() == 1


def test_an_ar_for_a_finished_order_is_a_duplicate(client, payment):
    txn = walk_to_confirm(client, payment)
    choose(client, txn, "51")
    response = client.post(AR_PATH, services.payment_ar(payment=payment))
    assert response.status_code == 400 and "XO" in response.content.decode()


def test_ar_with_a_flipped_checksum_bit_gets_the_fpx_error_code(client, payment):
    ar = services.payment_ar(payment=payment)
    ar["fpx_checkSum"] = ar["fpx_checkSum"][:-1] + f"{int(ar['fpx_checkSum'][-1], 16) ^ 1:X}"
    response = client.post(AR_PATH, ar)
    assert response.status_code == 400
    assert "XC" in response.content.decode()
    assert not SimulatedTransaction.objects.exists()


def resigned(payment, **changes):
    ar = {**services.payment_ar(payment=payment), **changes}
    return fpx.sign_message(ar, "AR", keys.merchant_private_key())


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"fpx_txnAmount": "0.99"}, "2A"),
        ({"fpx_txnAmount": "30000.01"}, "48"),
        ({"fpx_txnAmount": "10.005"}, "13"),
        ({"fpx_txnAmount": "NaN"}, "13"),
        ({"fpx_txnAmount": "-1"}, "13"),
        ({"fpx_txnCurrency": "USD"}, "47"),
        ({"fpx_buyerBankId": "NOSUCHBANK"}, "31"),
        ({"fpx_sellerExId": "EX99999999"}, "XI"),
        ({"fpx_sellerId": "SE99999999"}, "XS"),
        ({"fpx_msgToken": "02"}, "XM"),
        ({"fpx_sellerTxnTime": "2026-11-21"}, "30"),
        ({"fpx_sellerTxnTime": "20000101000000"}, "XW"),
        ({"fpx_buyerEmail": "not an email"}, "DB"),
    ],
)
def test_signed_ar_with_a_bad_field_is_answered_with_its_fpx_code(client, payment, changes, code):
    response = client.post(AR_PATH, resigned(payment, **changes))
    txn = SimulatedTransaction.objects.get()
    assert txn.outcome_code == code
    page = client.get(response["Location"]).content.decode()
    assert code in page


def test_ar_for_a_bank_taken_offline_is_blocked_and_fails_the_attempt(client, payment):
    simulator.simulator_bank_set_online(fpx_id="ABB0233", online=False)
    client.post(AR_PATH, services.payment_ar(payment=payment))
    assert SimulatedTransaction.objects.get().outcome_code == "BB"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and payment.debit_auth_code == "BB"


def test_bank_pages_follow_the_steps(client, payment):
    client.post(AR_PATH, services.payment_ar(payment=payment))
    txn = SimulatedTransaction.objects.get()
    response = client.get(reverse("fpx_simulator:confirm", kwargs={"token": txn.token}))
    assert response["Location"] == reverse("fpx_simulator:login", kwargs={"token": txn.token})
    assert client.get(reverse("fpx_simulator:login", kwargs={"token": "nope"})).status_code == 404


def test_pending_then_requery_learns_the_settled_outcome(client, payment):
    txn = walk_to_confirm(client, payment)
    choose(client, txn, "09")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        assert services.pending_payments_to_requery() == [payment.pk]
        services.payment_requery(payment_id=payment.pk)
        assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING  # the bank still says 09
        client.post(reverse("fpx_simulator:console"), {"action": "approve", "txn": txn.pk})
        from payments.tasks import requery_pending_payments

        assert requery_pending_payments.delay().get() == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.contribution.status == Contribution.Status.ACTIVE
    assert GatewayMessage.objects.filter(payment=payment, msg_type="AE", direction="out").count() == 2


def test_requery_of_an_order_fpx_never_saw(payment):
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        services.payment_requery(payment_id=payment.pk)
        assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING  # buyer may still be there
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        services.payment_requery(payment_id=payment.pk)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and payment.debit_auth_code == "76"


def test_requery_while_the_buyer_is_at_the_bank_then_after_the_session_expired(client, payment):
    client.post(AR_PATH, services.payment_ar(payment=payment))
    services.payment_requery(payment_id=payment.pk)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        services.payment_requery(payment_id=payment.pk)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and payment.debit_auth_code == "1M"


def test_requery_survives_a_gateway_that_is_down_or_says_error(payment, monkeypatch):
    monkeypatch.setattr("payments.gateway.transport", lambda url, data, timeout: (200, "ERROR"))
    services.payment_requery(payment_id=payment.pk)
    monkeypatch.setattr("payments.gateway.transport", lambda url, data, timeout: (503, ""))
    services.payment_requery(payment_id=payment.pk)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING


def test_ae_and_be_with_bad_checksums_are_answered_error(client):
    assert client.post(reverse("fpx_simulator:txn_status"), {"fpx_msgType": "AE"}).content == b"ERROR"
    assert client.post(reverse("fpx_simulator:bank_list"), {"fpx_msgType": "BE"}).content == b"ERROR"


def test_bank_list_refresh_marks_offline_banks(client):
    simulator.simulator_bank_set_online(fpx_id="MB2U0227", online=False)
    SimulatedBank.objects.filter(fpx_id="HSBC0223").delete()
    from payments.tasks import refresh_bank_list

    assert refresh_bank_list.delay().get() is True
    assert Bank.objects.get(fpx_id="MB2U0227").status == Bank.Status.OFFLINE
    assert Bank.objects.get(fpx_id="ABB0233").status == Bank.Status.ONLINE
    assert SimulatedBank.objects.filter(fpx_id="HSBC0223").exists()  # recreated from the reference list
    message = GatewayMessage.objects.get(msg_type="BC")
    assert message.signature_valid is True


def test_a_forged_bank_list_is_ignored(monkeypatch):
    forged = fpx.encode_nvp(
        {
            "fpx_msgType": "BC",
            "fpx_msgToken": "01",
            "fpx_sellerExId": "EX00012345",
            "fpx_bankList": "ABB0233~B",
            "fpx_checkSum": "AB" * 256,
        }
    )
    monkeypatch.setattr("payments.gateway.transport", lambda url, data, timeout: (200, forged))
    assert services.bank_list_refresh() is False
    assert Bank.objects.get(fpx_id="ABB0233").status == Bank.Status.ONLINE


def test_new_banks_in_the_list_are_added_and_missing_ones_unlisted(monkeypatch):
    bc = fpx.sign_message(
        {
            "fpx_msgType": "BC",
            "fpx_msgToken": "01",
            "fpx_sellerExId": "EX00012345",
            "fpx_bankList": "ABB0233~A,NEWB0001~A",
        },
        "BC",
        keys.gateway_private_key(),
    )
    monkeypatch.setattr("payments.gateway.transport", lambda url, data, timeout: (200, fpx.encode_nvp(bc)))
    assert services.bank_list_refresh() is True
    assert Bank.objects.get(fpx_id="NEWB0001").is_listed
    assert not Bank.objects.get(fpx_id="MB2U0227").is_listed
