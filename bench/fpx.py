"""FPX keys for the bench, and direct AC messages signed as FPX signs them (design/FPX.md §4.2 and §5).

The bench plays the gateway: it signs each AC with the gateway's private key, and the portal verifies it
with the gateway certificate at settings.FPX_GATEWAY_CERT_PATH, exactly as it would a real FPX message.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

# AC checksum source: the values of these fields, in this order, joined by "|" (FPX.md §5)
AC_FIELDS = [
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
]


def _write_pair(key_path: Path, cert_path: Path, common_name: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def ensure_keys(settings) -> None:
    """A merchant key pair and a gateway key pair at the configured paths (kept across runs)."""
    pairs = [
        (Path(settings.FPX_MERCHANT_KEY_PATH), Path(settings.FPX_MERCHANT_CERT_PATH), "bench merchant"),
        (Path(settings.FPX_GATEWAY_KEY_PATH), Path(settings.FPX_GATEWAY_CERT_PATH), "bench FPX gateway"),
    ]
    for key_path, cert_path, common_name in pairs:
        if not (key_path.is_file() and cert_path.is_file()):
            _write_pair(key_path, cert_path, common_name)


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
        "fpx_msgToken": "01",
        "fpx_msgType": "AC",
        "fpx_sellerExId": exchange_id,
        "fpx_sellerExOrderNo": order["exchange_order_no"],
        "fpx_sellerId": seller_id,
        "fpx_sellerOrderNo": order["seller_order_no"],
        "fpx_sellerTxnTime": order["seller_txn_time"],
        "fpx_txnAmount": f"{order['amount']:.2f}",
        "fpx_txnCurrency": "MYR",
    }


_KEY = None


def _init(key_pem: bytes) -> None:
    global _KEY
    _KEY = serialization.load_pem_private_key(key_pem, password=None)


def _sign_body(fields: dict) -> str:
    source = "|".join(fields[name] for name in AC_FIELDS).encode()
    signature = _KEY.sign(source, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - FPX's algorithm
    return urlencode({**fields, "fpx_checkSum": signature.hex().upper()})


def signed_bodies(messages: list[dict], *, key_path: Path, workers: int = 2) -> list[str]:
    """Form-encoded bodies with fpx_checkSum, signed in `workers` processes."""
    key_pem = Path(key_path).read_bytes()
    if len(messages) < 200 or workers < 2:
        _init(key_pem)
        return [_sign_body(m) for m in messages]
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(key_pem,)) as pool:
        return list(pool.map(_sign_body, messages, chunksize=200))
