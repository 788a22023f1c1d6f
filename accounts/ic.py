"""MyKad (IC) numbers: YYMMDD-PB-###G. Normalising, validating and reading them."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.my import nric

# Separators a person may type between the groups: spaces (also the no-break space a copy may bring) and
# dashes. Anything else, newlines and full-width digits included, is refused rather than silently dropped.
_SEPARATORS = re.compile(r"[ \u00a0\-]")
_TWELVE_ASCII_DIGITS = re.compile(r"[0-9]{12}", re.ASCII)
_ASCII_DIGITS = re.compile(r"[0-9]*", re.ASCII)

# Place-of-birth codes no one is issued (python-stdnum's table has no entry for them).
UNUSED_PLACE_CODES = frozenset(
    {"00", "17", "18", "19", "20", "69", "70", "73", "80", "81", "94", "95", "96", "97"}
)

MESSAGE_FORMAT = _("Enter the 12 digits of your MyKad number, for example 790811087654.")
MESSAGE_DIGITS = _("Type the IC number with the digits 0 to 9 only, on one line, for example 790811087654.")
MESSAGE_LENGTH = _("An IC number has 12 digits; you typed %(count)d.")
MESSAGE_DATE = _("The first six digits of this IC number are not a real date of birth.")
MESSAGE_PLACE = _("Digits 7 and 8 of this IC number are not a place-of-birth code in use.")


def normalise(value: str) -> str:
    """Strip spaces and dashes. Does not validate."""
    return _SEPARATORS.sub("", value or "")


def birth_date(ic: str, *, today: dt.date | None = None) -> dt.date | None:
    """20YY if that date is not in the future, else 19YY. None when the digits are not a real date."""
    today = today or timezone.localdate()
    yy, mm, dd = int(ic[0:2]), int(ic[2:4]), int(ic[4:6])
    for century in (2000, 1900):
        try:
            candidate = dt.date(century + yy, mm, dd)
        except ValueError:
            return None
        if candidate <= today:
            return candidate
    return None


def validate(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised 12-digit IC, or raise ValidationError with a message for the person."""
    ic = normalise(value)
    if not _TWELVE_ASCII_DIGITS.fullmatch(ic):
        if not ic:
            raise ValidationError(MESSAGE_FORMAT, code="ic_format")
        if not _ASCII_DIGITS.fullmatch(ic):
            raise ValidationError(MESSAGE_DIGITS, code="ic_digits")
        raise ValidationError(MESSAGE_LENGTH, code="ic_length", params={"count": len(ic)})
    if birth_date(ic, today=today) is None:
        raise ValidationError(MESSAGE_DATE, code="ic_date")
    if ic[6:8] in UNUSED_PLACE_CODES or not _known_place(ic):
        raise ValidationError(MESSAGE_PLACE, code="ic_place")
    return ic


def _known_place(ic: str) -> bool:
    try:
        return bool(nric.get_birth_place(ic))
    except Exception:  # noqa: BLE001 - stdnum raises its own InvalidComponent for unknown codes
        return False


def gender(ic: str) -> str:
    """'male' when the last digit is odd, 'female' when even."""
    return "male" if int(ic[-1]) % 2 else "female"


def formatted(ic: str) -> str:
    return f"{ic[0:6]}-{ic[6:8]}-{ic[8:12]}" if len(ic) == 12 else ic


def masked(ic: str) -> str:
    """900101-14-**** : enough to recognise, not enough to use."""
    return f"{ic[0:6]}-{ic[6:8]}-****" if len(ic) == 12 else "****"
