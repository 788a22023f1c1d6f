"""FPX test plumbing: server-to-server HTTP goes through Django's test client, never the network."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from payments import fpx, gateway, keys
from tests.factories import PaymentFactory


@pytest.fixture(autouse=True)
def fpx_transport(monkeypatch):
    """Route gateway.post_form to this process's URLconf; the calls made are kept in `.calls`."""
    calls = []

    def transport(url, data, timeout):
        calls.append((urlsplit(url).path, dict(data)))
        response = Client().post(urlsplit(url).path, data=dict(data))
        return response.status_code, response.content.decode()

    monkeypatch.setattr(gateway, "transport", transport)
    transport.calls = calls
    return transport


def ac_for(payment, *, code="00", **overrides):
    """The AC FPX would send for `payment`, signed with the (simulated) gateway key."""
    fields = {
        "fpx_msgType": "AC",
        "fpx_msgToken": "01",
        "fpx_sellerExId": "EX00012345",
        "fpx_sellerId": "SE00012345",
        "fpx_sellerExOrderNo": payment.exchange_order_no,
        "fpx_sellerOrderNo": payment.seller_order_no,
        "fpx_sellerTxnTime": payment.seller_txn_time,
        "fpx_txnAmount": fpx.format_amount(payment.amount),
        "fpx_txnCurrency": "MYR",
        "fpx_fpxTxnId": "2611211550270891",
        "fpx_fpxTxnTime": "20261121155026",
        "fpx_buyerBankId": payment.bank.fpx_id if payment.bank_id else "ABB0233",
        "fpx_buyerBankBranch": "AFFIN BANK",
        "fpx_buyerName": "PERSON",
        "fpx_buyerId": "",
        "fpx_buyerIban": "",
        "fpx_makerName": "FPX Simulator",
        "fpx_debitAuthCode": code,
        "fpx_debitAuthNo": "15733223" if code == "00" else "",
        "fpx_creditAuthCode": "00" if code == "00" else code,
        "fpx_creditAuthNo": "9999999999" if code == "00" else "",
    }
    fields.update(overrides)
    return fpx.sign_message(fields, "AC", keys.gateway_private_key())


@pytest.fixture
def sign_ac():
    return ac_for


@pytest.fixture
def pending_payment(db):
    """A pending FPX attempt as the portal creates it (with its seller transaction time)."""
    return PaymentFactory(seller_txn_time="20261121154500")
