"""Collects every log line of the suite (as production handlers write it) and finds secrets in it."""

import logging
import re

from matrix_portal.logging import RedactFilter

# Secrets the tests use (see tests/factories.py), and shapes that must never appear in a log.
KNOWN_SECRETS = {"Correct-Horse-Battery-9", "blue hibiscus morning", "Demo-Staff-Pass-2026"}
FULL_IC = re.compile(r"(?<![0-9])[0-9]{6}-?[0-9]{2}-?[0-9]{4}(?![0-9])")


class CapturingHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.addFilter(RedactFilter())
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is not a leak
            return


def find_leaks(lines: list[str], extra_secrets: set[str] = frozenset()) -> list[str]:
    leaks = []
    for line in lines:
        if any(secret in line for secret in KNOWN_SECRETS | set(extra_secrets)) or FULL_IC.search(line):
            leaks.append(line)
    return leaks
