import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts import ic

TODAY = dt.date(2026, 11, 21)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("790811087654", "790811087654"),  # the seed's example
        ("790811-08-7654", "790811087654"),
        ("7908 1108 7654", "790811087654"),
        ("790811 - 08 - 7654", "790811087654"),
        ("790811\u00a008\u00a07654", "790811087654"),  # a no-break space from a copy
        ("000229-14-5566", "000229145566"),  # 29 Feb 2000 was a real day
    ],
)
def test_accepted_forms_are_normalised(typed, stored):
    assert ic.validate(typed, today=TODAY) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("900230-14-5567", "ic_date"),  # 30 February
        ("010229-14-5567", "ic_date"),  # 29 February 2001: not a leap year
        ("901301-14-5567", "ic_date"),  # month 13
        ("900100-14-5567", "ic_date"),  # day 00
        ("900132-14-5567", "ic_date"),  # day 32
        ("900101-00-5567", "ic_place"),
        ("900101-17-5567", "ic_place"),
        ("900101-20-5567", "ic_place"),
        ("900101-69-5567", "ic_place"),
        ("900101-70-5567", "ic_place"),
        ("900101-73-5567", "ic_place"),
        ("900101-80-5567", "ic_place"),
        ("900101-81-5567", "ic_place"),
        ("900101-94-5567", "ic_place"),
        ("900101-97-5567", "ic_place"),
        ("90010114556", "ic_length"),  # 11 digits
        ("9001011455678", "ic_length"),  # 13 digits
        ("９００１０１１４５５６７", "ic_digits"),  # full-width digits
        ("٩٠٠١٠١١٤٥٥٦٧", "ic_digits"),  # Arabic-Indic digits
        ("900101145567\n", "ic_digits"),  # a trailing newline
        ("9001011\n45567", "ic_digits"),
        ("900101\u200b145567", "ic_digits"),  # zero-width space
        ("90O101145567", "ic_digits"),  # letter O
        ("", "ic_format"),
    ],
)
def test_refused_with_a_reason(typed, code):
    with pytest.raises(ValidationError) as error:
        ic.validate(typed, today=TODAY)
    assert error.value.code == code


def test_length_message_says_how_many_digits_were_typed():
    with pytest.raises(ValidationError) as error:
        ic.validate("90010114556", today=TODAY)
    assert "you typed 11" in error.value.messages[0]


@pytest.mark.parametrize(
    ("number", "born"),
    [
        ("790811087654", dt.date(1979, 8, 11)),
        ("051231145566", dt.date(2005, 12, 31)),
        ("300101145566", dt.date(1930, 1, 1)),  # 2030 would be in the future
        ("261121145566", dt.date(2026, 11, 21)),  # born today
        ("261122145566", dt.date(1926, 11, 22)),  # tomorrow in 2026 is the future: 1926
    ],
)
def test_century_rule(number, born):
    assert ic.birth_date(number, today=TODAY) == born


@given(st.dates(min_value=dt.date(1927, 1, 1), max_value=TODAY))
def test_every_real_birth_date_in_the_last_century_is_read_back(born):
    number = f"{born:%y%m%d}145566"
    assert ic.birth_date(number, today=TODAY) == born
    assert ic.validate(number, today=TODAY) == number


@given(st.integers(0, 99), st.integers(1, 12), st.integers(29, 31))
def test_impossible_days_are_refused(yy, mm, dd):
    number = f"{yy:02d}{mm:02d}{dd:02d}145566"
    real = False
    for year in (2000 + yy, 1900 + yy):
        try:
            dt.date(year, mm, dd)
            real = True
        except ValueError:
            pass
    if not real:
        with pytest.raises(ValidationError):
            ic.validate(number, today=TODAY)


def test_gender_and_masking():
    assert ic.gender("790811087654") == "female"
    assert ic.gender("790811087653") == "male"
    assert ic.masked("790811087654") == "790811-08-****"
