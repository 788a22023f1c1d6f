"""Partly hidden IC numbers, e-mail addresses and mobile numbers, for places that need only a hint."""

import phonenumbers
from phonenumber_field.phonenumber import PhoneNumber


def ic(value: str) -> str:
    """790811087654 -> 79********54"""
    value = value or ""
    return f"{value[:2]}{'*' * 8}{value[-2:]}" if len(value) == 12 else "*" * 12


def email(value: str) -> str:
    """hurul.ain@example.com -> huru*****@e******.com"""
    local, _at, domain = (value or "").partition("@")
    name, _dot, tld = domain.rpartition(".")
    shown = local[:4] if len(local) > 5 else local[:1]
    return f"{shown}{'*' * max(len(local) - len(shown), 3)}@{name[:1]}{'*' * max(len(name) - 1, 3)}.{tld}"


def mobile(value) -> str:
    """+60123456789 -> 012-*** **89"""
    national = display_mobile(value).replace("-", "").replace(" ", "")
    if len(national) < 6:
        return "*" * 10
    return f"{national[:3]}-{'*' * 3} {'*' * (len(national) - 8)}{national[-2:]}"


def display_mobile(value) -> str:
    """Malaysian mobile numbers as people write them: 012-345 6789 or 011-2345 6789."""
    if not value:
        return ""
    number = value if isinstance(value, PhoneNumber) else PhoneNumber.from_string(str(value), region="MY")
    if not number.is_valid():
        return str(value)
    if number.country_code != 60:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    digits = "0" + str(number.national_number)
    return f"{digits[:3]}-{digits[3:-4]} {digits[-4:]}"
