"""FPX keys and certificates.

The merchant signs AR, AE and BE with its private key and FPX verifies them with the merchant certificate;
FPX signs AC and BC with its key and the portal verifies them with the FPX certificate. In development and
tests (the simulator switched on) missing pairs are generated on first use into FPX_KEY_DIR (var/fpx, never
in git); `manage.py fpx_keys` does the same on demand. In production the configured files must exist.
"""

import datetime as dt
import fcntl
import logging
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

KEY_SIZE = 2048
CERT_DAYS = 3650

_cache: dict[tuple, object] = {}


class KeyPair:
    def __init__(self, *, key_path: Path, cert_path: Path, common_name: str):
        self.key_path = Path(key_path)
        self.cert_path = Path(cert_path)
        self.common_name = common_name

    def exists(self) -> bool:
        return self.key_path.is_file() and self.cert_path.is_file()


def merchant_pair() -> KeyPair:
    return KeyPair(
        key_path=settings.FPX_MERCHANT_KEY_PATH,
        cert_path=settings.FPX_MERCHANT_CERT_PATH,
        common_name=f"{settings.FPX_EXCHANGE_ID} MATRIX Portal (development)",
    )


def gateway_pair() -> KeyPair:
    return KeyPair(
        key_path=settings.FPX_GATEWAY_KEY_PATH,
        cert_path=settings.FPX_GATEWAY_CERT_PATH,
        common_name="FPX simulator (development)",
    )


def generate_pair(pair: KeyPair, *, force: bool = False) -> bool:
    """Write a new RSA key and self-signed certificate. False when both exist already (and not forced).

    A lock file keeps two processes from writing halves of different pairs.
    """
    pair.key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pair.cert_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock_path = pair.key_path.parent / ".fpx-keys.lock"
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if pair.exists() and not force:
            return False
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, pair.common_name)])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=CERT_DAYS))
            .sign(key, hashes.SHA256())
        )
        _write(
            pair.key_path,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            mode=0o600,
        )
        _write(pair.cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    logger.info("FPX: generated a key and certificate at %s", pair.key_path)
    return True


def _write(path: Path, data: bytes, *, mode: int) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _ensure(pair: KeyPair, *, need_key: bool) -> None:
    present = pair.exists() if need_key else pair.cert_path.is_file()
    if present:
        return
    if settings.FPX_SIMULATOR_ENABLED:
        generate_pair(pair)
        return
    missing = pair.key_path if need_key and not pair.key_path.is_file() else pair.cert_path
    raise ImproperlyConfigured(f"FPX key material missing: {missing}")


def _load(path: Path, loader):
    stat = path.stat()
    cache_key = (str(path), stat.st_mtime_ns, stat.st_size)
    if cache_key not in _cache:
        _cache[cache_key] = loader(path.read_bytes())
    return _cache[cache_key]


def _load_private_key(data: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured("FPX keys must be RSA keys")
    return key


def _load_certificate(data: bytes) -> tuple[rsa.RSAPublicKey, dt.datetime]:
    """The certificate's public key and expiry: parsed once per file version, not per message."""
    if b"-----BEGIN" in data:
        cert = x509.load_pem_x509_certificate(data)
    else:
        cert = x509.load_der_x509_certificate(data)
    return cert.public_key(), cert.not_valid_after_utc


def _public_keys(paths: list[Path]) -> list[rsa.RSAPublicKey]:
    """Public keys of the certificates that exist and have not expired, current one first."""
    now = dt.datetime.now(dt.UTC)
    keys = []
    for path in paths:
        if not path.is_file():
            continue
        public_key, expires = _load(path, _load_certificate)
        if expires < now:
            logger.warning("FPX: certificate %s expired on %s; not used", path, expires)
            continue
        keys.append(public_key)
    return keys


def merchant_private_key() -> rsa.RSAPrivateKey:
    pair = merchant_pair()
    _ensure(pair, need_key=True)
    return _load(pair.key_path, _load_private_key)


def gateway_public_keys() -> list[rsa.RSAPublicKey]:
    """FPX's certificate (and the previous one during a certificate rollover, when configured)."""
    pair = gateway_pair()
    _ensure(pair, need_key=settings.FPX_SIMULATOR_ENABLED)
    paths = [pair.cert_path]
    if settings.FPX_GATEWAY_CERT_OLD_PATH:
        paths.append(Path(settings.FPX_GATEWAY_CERT_OLD_PATH))
    return _public_keys(paths)


def gateway_private_key() -> rsa.RSAPrivateKey:
    """The simulator's signing key (the real FPX keeps its own)."""
    pair = gateway_pair()
    _ensure(pair, need_key=True)
    return _load(pair.key_path, _load_private_key)


def merchant_public_keys() -> list[rsa.RSAPublicKey]:
    """What the simulator verifies the portal's messages with."""
    pair = merchant_pair()
    _ensure(pair, need_key=True)
    return _public_keys([pair.cert_path])
