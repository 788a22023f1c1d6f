"""The FPX message layer: field orders, checksum source strings, signing and verification, and NVP bodies.

Checksums are RSA PKCS#1 v1.5 with SHA-1 over the field *values* joined by "|", in the fixed orders of
docs/fpx.md (each order is the field names sorted ascending, `fpx_checkSum` left out). Signatures are sent
as uppercase hex and verified case-insensitively. Only the listed fields take part, so extra POST keys
(CSRF tokens, anything hostile) neither break nor influence verification.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

AR_FIELDS = (
    "fpx_buyerAccNo",
    "fpx_buyerBankBranch",
    "fpx_buyerBankId",
    "fpx_buyerEmail",
    "fpx_buyerIban",
    "fpx_buyerId",
    "fpx_buyerName",
    "fpx_makerName",
    "fpx_msgToken",
    "fpx_msgType",
    "fpx_productDesc",
    "fpx_sellerBankCode",
    "fpx_sellerExId",
    "fpx_sellerExOrderNo",
    "fpx_sellerId",
    "fpx_sellerOrderNo",
    "fpx_sellerTxnTime",
    "fpx_txnAmount",
    "fpx_txnCurrency",
    "fpx_version",
)
AE_FIELDS = AR_FIELDS
AC_FIELDS = (
    "fpx_buyerBankBranch",
    "fpx_buyerBankId",
    "fpx_buyerIban",
    "fpx_buyerId",
    "fpx_buyerName",
    "fpx_creditAuthCode",
    "fpx_creditAuthNo",
    "fpx_debitAuthCode",
    "fpx_debitAuthNo",
    "fpx_fpxTxnId",
    "fpx_fpxTxnTime",
    "fpx_makerName",
    "fpx_msgToken",
    "fpx_msgType",
    "fpx_sellerExId",
    "fpx_sellerExOrderNo",
    "fpx_sellerId",
    "fpx_sellerOrderNo",
    "fpx_sellerTxnTime",
    "fpx_txnAmount",
    "fpx_txnCurrency",
)
BE_FIELDS = ("fpx_msgToken", "fpx_msgType", "fpx_sellerExId", "fpx_version")
BC_FIELDS = ("fpx_bankList", "fpx_msgToken", "fpx_msgType", "fpx_sellerExId")

FIELD_ORDERS = {"AR": AR_FIELDS, "AE": AE_FIELDS, "AC": AC_FIELDS, "BE": BE_FIELDS, "BC": BC_FIELDS}
CHECKSUM = "fpx_checkSum"
B2C_TOKEN = "01"
CURRENCY = "MYR"
MIN_AMOUNT = Decimal("1.00")
MAX_AMOUNT = Decimal("30000.00")
# Longest value we accept in any field; real values are far shorter. A 2048-bit signature is 512 hex digits.
MAX_VALUE_LENGTH = 200
MAX_CHECKSUM_LENGTH = 1024
MAX_BANK_LIST_LENGTH = 4000

_HEX = re.compile(r"[0-9A-Fa-f]+", re.ASCII)
_AMOUNT = re.compile(r"[0-9]{1,7}\.[0-9]{2}", re.ASCII)
_TIMESTAMP = re.compile(r"[0-9]{14}", re.ASCII)


class MessageError(ValueError):
    """A message that is malformed before its checksum is even looked at."""


def source_string(fields: Mapping[str, str], order: Iterable[str]) -> str:
    """The checksum source: the values in `order`, empty ones included, joined by "|"."""
    return "|".join(fields.get(name, "") or "" for name in order)


def sign(source: str, private_key: rsa.RSAPrivateKey) -> str:
    signature = private_key.sign(source.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    return signature.hex().upper()


def verify(source: str, checksum: str, public_keys: Iterable[rsa.RSAPublicKey]) -> bool:
    """True when `checksum` (hex, any case) is a valid signature of `source` by one of the keys."""
    if (
        not checksum
        or len(checksum) > MAX_CHECKSUM_LENGTH
        or len(checksum) % 2
        or not _HEX.fullmatch(checksum)
    ):
        return False
    signature = bytes.fromhex(checksum)
    for key in public_keys:
        try:
            key.verify(signature, source.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
        except (InvalidSignature, ValueError):
            continue
        return True
    return False


def sign_message(fields: Mapping[str, str], msg_type: str, private_key: rsa.RSAPrivateKey) -> dict[str, str]:
    """A copy of `fields` (every field of the message type, missing ones empty) with its checksum added."""
    order = FIELD_ORDERS[msg_type]
    message = {name: fields.get(name, "") or "" for name in order}
    message[CHECKSUM] = sign(source_string(message, order), private_key)
    return message


@dataclass(frozen=True)
class ParsedMessage:
    """The listed fields of a received message, and whether its checksum verified."""

    msg_type: str
    fields: dict[str, str]
    checksum: str
    signature_valid: bool


def parse_message(data: Mapping, msg_type: str, public_keys: Iterable[rsa.RSAPublicKey]) -> ParsedMessage:
    """Pick the fields of `msg_type` out of a POST body or NVP reply and verify the checksum.

    Raises MessageError when a field is repeated, too long, not text, or the message type is not the
    expected one. Missing fields count as empty, as FPX sends them.
    """
    order = FIELD_ORDERS[msg_type]
    fields = {}
    for name in (*order, CHECKSUM):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")]
        if len(values) > 1:
            raise MessageError(f"{name} given more than once")
        value = values[0] if values else ""
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise MessageError(f"{name} is not text")
        limit = {CHECKSUM: MAX_CHECKSUM_LENGTH, "fpx_bankList": MAX_BANK_LIST_LENGTH}.get(
            name, MAX_VALUE_LENGTH
        )
        if len(value) > limit:
            raise MessageError(f"{name} is too long")
        fields[name] = value
    checksum = fields.pop(CHECKSUM)
    if fields["fpx_msgType"] != msg_type:
        raise MessageError(f"expected message type {msg_type}, got {fields['fpx_msgType'][:4]!r}")
    valid = verify(source_string(fields, order), checksum, public_keys)
    return ParsedMessage(msg_type=msg_type, fields=fields, checksum=checksum, signature_valid=valid)


def format_amount(amount: Decimal) -> str:
    """1.00 style: two decimals, a point, no thousands separator."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise MessageError("amount must be a finite Decimal")
    if amount != amount.quantize(Decimal("0.01")):
        raise MessageError("amount has more than two decimals")
    return f"{amount:.2f}"


def parse_amount(value: str) -> Decimal:
    """A strictly formatted FPX amount (`d+.dd`), or MessageError. NaN, Infinity, 1e3, -1, 10.005 fail."""
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
        raise MessageError("amount is not in the d.dd format")
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid numbers
        raise MessageError("amount is not a number") from exc


def amount_in_b2c_range(amount: Decimal) -> bool:
    return amount.is_finite() and MIN_AMOUNT <= amount <= MAX_AMOUNT


def is_timestamp(value: str) -> bool:
    return bool(_TIMESTAMP.fullmatch(value or ""))


def parse_bank_list(value: str) -> list[tuple[str, str]]:
    """`ABB0233~A,ABMB0212~B` -> [("ABB0233", "A"), ("ABMB0212", "B")]; malformed entries are skipped."""
    banks = []
    for entry in (value or "").split(","):
        bank_id, separator, status = entry.strip().partition("~")
        if separator and re.fullmatch(r"[A-Z0-9]{2,20}", bank_id, re.ASCII) and status in {"A", "B"}:
            banks.append((bank_id, status))
    return banks


def format_bank_list(banks: Iterable[tuple[str, str]]) -> str:
    return ",".join(f"{bank_id}~{status}" for bank_id, status in banks)


def encode_nvp(fields: Mapping[str, str]) -> str:
    """A server-to-server body or reply: `key=value&...`, values URL-encoded."""
    return urlencode(list(fields.items()))


def decode_nvp(body: str) -> dict[str, str]:
    """Parse an NVP reply. Repeated keys keep the last value; a reply of `ERROR` gives {}."""
    body = (body or "").strip()
    if not body or body == "ERROR":
        return {}
    return dict(parse_qsl(body, keep_blank_values=True, max_num_fields=100))
