"""FPX keys for the bench, and direct AC messages signed as FPX signs them (design/FPX.md §4.2 and §5).

The bench plays the gateway: it signs each AC with the gateway's private key, and the portal verifies it
with the gateway certificate at settings.FPX_GATEWAY_CERT_PATH, exactly as it would a real FPX message.
The keys, the field order, the signature and the form encoding all come from payments/keys.py and
payments/fpx.py, so the bench cannot drift from what the portal accepts.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives import serialization

# The portal's own FPX code: the same field order, signature and encoding the gateway would use.
from payments import fpx, keys


def ensure_keys(settings) -> None:
    """A merchant key pair and a gateway key pair at the configured paths (kept across runs)."""
    keys.generate_pair(keys.merchant_pair())
    keys.generate_pair(keys.gateway_pair())


def ac_fields(order: dict, *, exchange_id: str, seller_id: str, sequence: int, now: dt.datetime) -> dict:
    """The 21 data fields of an approved (00) direct AC for a pending order."""
    return {
        "fpx_buyerBankBranch": "BENCH BANK",
        "fpx_buyerBankId": order["bank_fpx_id"],
        "fpx_buyerIban": "",
        "fpx_buyerId": "",
        "fpx_buyerName": "BENCH BUYER",
        "fpx_creditAuthCode": "00",
        "fpx_creditAuthNo": "9999999999",
        "fpx_debitAuthCode": "00",
        "fpx_debitAuthNo": f"{sequence % 100000000:08d}",
        "fpx_fpxTxnId": f"{now:%y%m%d%H%M%S}{sequence % 10000:04d}",
        "fpx_fpxTxnTime": f"{now:%Y%m%d%H%M%S}",
        "fpx_makerName": "BENCH",
        "fpx_msgToken": fpx.B2C_TOKEN,
        "fpx_msgType": "AC",
        "fpx_sellerExId": exchange_id,
        "fpx_sellerExOrderNo": order["exchange_order_no"],
        "fpx_sellerId": seller_id,
        "fpx_sellerOrderNo": order["seller_order_no"],
        "fpx_sellerTxnTime": order["seller_txn_time"],
        "fpx_txnAmount": fpx.format_amount(Decimal(str(order["amount"])).quantize(Decimal("0.01"))),
        "fpx_txnCurrency": fpx.CURRENCY,
    }


_KEY = None


def _init(key_pem: bytes) -> None:
    global _KEY
    _KEY = serialization.load_pem_private_key(key_pem, password=None)


def _sign_body(fields: dict) -> str:
    """The form body FPX would post: the AC's fields and its checksum, by payments/fpx.py."""
    return fpx.encode_nvp(fpx.sign_message(fields, "AC", _KEY))


def signed_bodies(messages: list[dict], *, key_path: Path, workers: int = 2) -> list[str]:
    """Form-encoded bodies with fpx_checkSum, signed in `workers` processes."""
    key_pem = Path(key_path).read_bytes()
    if len(messages) < 200 or workers < 2:
        _init(key_pem)
        return [_sign_body(m) for m in messages]
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(key_pem,)) as pool:
        return list(pool.map(_sign_body, messages, chunksize=200))
