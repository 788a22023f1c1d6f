"""Self-employed codes: K + 10 digits + a check letter, e.g. K0200078756M.

The ten digits are drawn at random (so codes reveal neither how many people registered nor in which order)
and the letter guards against typing mistakes when a code is read out at a counter or over the phone:

    weights   3, 4, 5, ..., 12  for the digits from left to right
    total     sum(digit x weight)
    letter    CHECK_ALPHABET[total mod 23]    (A-Z without I, O and U: 23 letters)

23 is prime and the weights are consecutive and below 23, so any one mistyped digit, and any two neighbouring
digits swapped, change the letter. The seed's example K0200078756M satisfies the rule.
"""

import re
import secrets

PREFIX = "K"
CHECK_ALPHABET = "ABCDEFGHJKLMNPQRSTVWXYZ"
WEIGHTS = tuple(range(3, 13))
_SHAPE = re.compile(r"K([0-9]{10})([A-Z])", re.ASCII)


def check_letter(digits: str) -> str:
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        raise ValueError("ten ASCII digits expected")
    total = sum(int(digit) * weight for digit, weight in zip(digits, WEIGHTS, strict=True))
    return CHECK_ALPHABET[total % len(CHECK_ALPHABET)]


def make_code(digits: str) -> str:
    return f"{PREFIX}{digits}{check_letter(digits)}"


def is_valid(code: str) -> bool:
    match = _SHAPE.fullmatch(code or "")
    return bool(match) and check_letter(match.group(1)) == match.group(2)


def random_code() -> str:
    return make_code(f"{secrets.randbelow(10**10):010d}")
