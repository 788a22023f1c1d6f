"""The checksum and message formats against fixed vectors (docs/fpx.md section 5)."""

import hashlib
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st

from payments import fpx

AR_VECTOR = {
    "fpx_msgType": "AR",
    "fpx_msgToken": "01",
    "fpx_sellerExId": "EX00012345",
    "fpx_sellerExOrderNo": "20210619094956A1B2C3",
    "fpx_sellerTxnTime": "20210619094956",
    "fpx_sellerOrderNo": "MX210619ABCDEFGH",
    "fpx_sellerId": "SE00012345",
    "fpx_sellerBankCode": "01",
    "fpx_txnCurrency": "MYR",
    "fpx_txnAmount": "77.60",
    "fpx_buyerEmail": "testing@tester.edu.au",
    "fpx_buyerName": "TESTING",
    "fpx_buyerBankId": "ABB0233",
    "fpx_productDesc": "PERKESO SKSPS",
    "fpx_version": "7.0",
}
# buyerAccNo|buyerBankBranch|buyerBankId|buyerEmail|buyerIban|buyerId|buyerName|makerName|msgToken|msgType|
# productDesc|sellerBankCode|sellerExId|sellerExOrderNo|sellerId|sellerOrderNo|sellerTxnTime|txnAmount|
# txnCurrency|version
AR_SOURCE = (
    "||ABB0233|testing@tester.edu.au|||TESTING||01|AR|PERKESO SKSPS|01|EX00012345|20210619094956A1B2C3|"
    "SE00012345|MX210619ABCDEFGH|20210619094956|77.60|MYR|7.0"
)
AC_VECTOR = {
    "fpx_msgType": "AC",
    "fpx_msgToken": "01",
    "fpx_sellerExId": "EX00011982",
    "fpx_sellerId": "SE00013501",
    "fpx_sellerExOrderNo": "20210619155026",
    "fpx_sellerOrderNo": "ORDER1",
    "fpx_sellerTxnTime": "20210619155026",
    "fpx_txnAmount": "1.00",
    "fpx_txnCurrency": "MYR",
    "fpx_fpxTxnId": "2106191550270891",
    "fpx_fpxTxnTime": "20210619155026",
    "fpx_buyerBankId": "TEST0021",
    "fpx_buyerBankBranch": "SBI BANK A",
    "fpx_buyerName": "N@ME()/ .-&BUYER",
    "fpx_buyerId": "",
    "fpx_buyerIban": "",
    "fpx_makerName": "New Simulator",
    "fpx_debitAuthCode": "00",
    "fpx_debitAuthNo": "15733223",
    "fpx_creditAuthCode": "00",
    "fpx_creditAuthNo": "9999999999",
}
# buyerBankBranch|buyerBankId|buyerIban|buyerId|buyerName|creditAuthCode|creditAuthNo|debitAuthCode|
# debitAuthNo|fpxTxnId|fpxTxnTime|makerName|msgToken|msgType|sellerExId|sellerExOrderNo|sellerId|
# sellerOrderNo|sellerTxnTime|txnAmount|txnCurrency
AC_SOURCE = (
    "SBI BANK A|TEST0021|||N@ME()/ .-&BUYER|00|9999999999|00|15733223|2106191550270891|20210619155026|"
    "New Simulator|01|AC|EX00011982|20210619155026|SE00013501|ORDER1|20210619155026|1.00|MYR"
)

SHA1_DIGEST_INFO = bytes.fromhex("3021300906052b0e03021a05000414")


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def textbook_pkcs1_sha1(key, source: str) -> str:
    """EMSA-PKCS1-v1_5 with SHA-1 computed by hand from the key numbers, as an independent reference."""
    numbers = key.private_numbers()
    n, d = numbers.public_numbers.n, numbers.d
    size = (n.bit_length() + 7) // 8
    t = SHA1_DIGEST_INFO + hashlib.sha1(source.encode()).digest()
    encoded = b"\x00\x01" + b"\xff" * (size - len(t) - 3) + b"\x00" + t
    return pow(int.from_bytes(encoded, "big"), d, n).to_bytes(size, "big").hex().upper()


def test_field_orders_are_the_sorted_field_names():
    for order in fpx.FIELD_ORDERS.values():
        assert list(order) == sorted(order)
    assert len(fpx.AR_FIELDS) == 20 and len(fpx.AC_FIELDS) == 21
    assert fpx.BE_FIELDS == ("fpx_msgToken", "fpx_msgType", "fpx_sellerExId", "fpx_version")
    assert fpx.BC_FIELDS == ("fpx_bankList", "fpx_msgToken", "fpx_msgType", "fpx_sellerExId")


def test_ar_source_string_keeps_empty_fields_in_order():
    assert fpx.source_string(AR_VECTOR, fpx.AR_FIELDS) == AR_SOURCE


def test_ac_source_string_matches_the_captured_uat_message():
    assert fpx.source_string(AC_VECTOR, fpx.AC_FIELDS) == AC_SOURCE


def test_be_and_bc_source_strings():
    be = {"fpx_msgToken": "01", "fpx_msgType": "BE", "fpx_sellerExId": "EX00012345", "fpx_version": "7.0"}
    assert fpx.source_string(be, fpx.BE_FIELDS) == "01|BE|EX00012345|7.0"
    bc = {"fpx_bankList": "ABB0233~A,ABMB0212~B", "fpx_msgToken": "01", "fpx_msgType": "BC"}
    bc["fpx_sellerExId"] = "EX00012345"
    assert fpx.source_string(bc, fpx.BC_FIELDS) == "ABB0233~A,ABMB0212~B|01|BC|EX00012345"


def test_signature_is_pkcs1_v15_sha1_in_uppercase_hex(key):
    checksum = fpx.sign(AR_SOURCE, key)
    assert checksum == textbook_pkcs1_sha1(key, AR_SOURCE)
    assert len(checksum) == 512 and checksum == checksum.upper()
    assert fpx.sign(AR_SOURCE, key) == checksum  # deterministic


def test_signature_round_trips_and_hex_case_does_not_matter(key):
    checksum = fpx.sign(AC_SOURCE, key)
    assert fpx.verify(AC_SOURCE, checksum, [key.public_key()])
    assert fpx.verify(AC_SOURCE, checksum.lower(), [key.public_key()])


def test_a_flipped_bit_fails(key):
    checksum = fpx.sign(AC_SOURCE, key)
    flipped = f"{int(checksum[-1], 16) ^ 1:X}"
    assert not fpx.verify(AC_SOURCE, checksum[:-1] + flipped, [key.public_key()])
    assert not fpx.verify(AC_SOURCE.replace("1.00", "100"), checksum, [key.public_key()])


@pytest.mark.parametrize("checksum", ["", "ZZ", "ABC", " " + "A" * 512, "A" * 2000, "0x1234"])
def test_malformed_checksums_fail_without_errors(key, checksum):
    assert not fpx.verify(AC_SOURCE, checksum, [key.public_key()])


def test_another_key_does_not_verify(key):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert not fpx.verify(AC_SOURCE, fpx.sign(AC_SOURCE, other), [key.public_key()])
    assert fpx.verify(AC_SOURCE, fpx.sign(AC_SOURCE, other), [key.public_key(), other.public_key()])


def test_sign_and_parse_a_message_ignoring_extra_keys(key):
    message = fpx.sign_message(AC_VECTOR, "AC", key)
    posted = {**message, "csrfmiddlewaretoken": "x", "fpx_extra": "y"}
    parsed = fpx.parse_message(posted, "AC", [key.public_key()])
    assert parsed.signature_valid
    assert parsed.fields == AC_VECTOR


def test_parse_refuses_repeated_fields_and_wrong_type(key):
    from django.http import QueryDict

    message = fpx.sign_message(AC_VECTOR, "AC", key)
    body = QueryDict(mutable=True)
    for name, value in message.items():
        body[name] = value
    body.appendlist("fpx_txnAmount", "0.01")
    with pytest.raises(fpx.MessageError):
        fpx.parse_message(body, "AC", [key.public_key()])
    with pytest.raises(fpx.MessageError):
        fpx.parse_message({**message, "fpx_msgType": "AR"}, "AC", [key.public_key()])


def test_nvp_round_trip_with_special_characters():
    fields = {"fpx_buyerName": "N@ME()/ .-&BUYER", "fpx_bankList": "ABB0233~A,ABMB0212~B"}
    assert fpx.decode_nvp(fpx.encode_nvp(fields)) == fields
    assert fpx.decode_nvp("ERROR") == {}


def test_bank_list_parsing_skips_malformed_entries():
    assert fpx.parse_bank_list("ABB0233~A,ABMB0212~B,bad,X~Z,~A,MB2U0227~A") == [
        ("ABB0233", "A"),
        ("ABMB0212", "B"),
        ("MB2U0227", "A"),
    ]


@pytest.mark.parametrize(
    "value", ["10.005", "-1", "-1.00", "0", "NaN", "Infinity", "1e3", "1,000.00", " 1.00", ""]
)
def test_amounts_not_in_the_fpx_format_are_refused(value):
    with pytest.raises(fpx.MessageError):
        fpx.parse_amount(value)


def test_amount_formatting():
    assert fpx.format_amount(Decimal("77.6")) == "77.60"
    assert fpx.format_amount(Decimal("30000.00")) == "30000.00"
    for bad in (Decimal("NaN"), Decimal("Infinity"), Decimal("10.005")):
        with pytest.raises(fpx.MessageError):
            fpx.format_amount(bad)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2))
def test_formatted_amounts_parse_back(amount):
    assert fpx.parse_amount(fpx.format_amount(amount)) == amount
    assert fpx.amount_in_b2c_range(amount) == (Decimal("1.00") <= amount <= Decimal("30000.00"))
