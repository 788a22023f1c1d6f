"""Logging helpers: UTC timestamps, and no secrets or full IC numbers in any log line."""

import logging
import re
import time

# A 12-digit IC, with or without dashes/spaces: keep the birth date and place code, mask the rest.
_IC = re.compile(r"(?<![0-9])([0-9]{6})[- ]?([0-9]{2})[- ]?[0-9]{4}(?![0-9])")
_SECRET_KV = re.compile(
    r"(?i)\b(password|passwd|otp|token|secret[_ ]?phrase|phrase|fpx_checkSum|checksum)(\W{1,3})([^\s&,;'\"]+)"
)
_CRLF = re.compile(r"[\r\n]+")


def redact(text: str) -> str:
    text = _IC.sub(r"\1-\2-****", text)
    text = _SECRET_KV.sub(r"\1\2[redacted]", text)
    return _CRLF.sub(" ", text)


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not break logging
            return True
        record.msg = redact(message)
        record.args = None
        return True


class UTCFormatter(logging.Formatter):
    converter = time.gmtime
