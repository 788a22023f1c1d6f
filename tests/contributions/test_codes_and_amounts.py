from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contributions import codes
from contributions.models import Plan
from contributions.services import MESSAGE_MONTHS, contribution_amount
from matrix_portal.errors import ApplicationError


def test_seed_code_satisfies_the_check_letter():
    assert codes.is_valid("K0200078756M")
    assert codes.make_code("0200078756") == "K0200078756M"


@pytest.mark.parametrize(
    "code", ["K0200078756A", "K020007875M", "k0200078756M", "K02000787５6M", "K0200078756M\n", ""]
)
def test_wrong_or_misshapen_codes_are_invalid(code):
    assert not codes.is_valid(code)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10), st.integers(0, 9), st.integers(1, 9))
def test_any_single_mistyped_digit_changes_the_letter(digits, position, delta):
    wrong = digits[:position] + str((int(digits[position]) + delta) % 10) + digits[position + 1 :]
    assert not codes.is_valid(f"K{wrong}{codes.check_letter(digits)}")


@given(st.text(alphabet="0123456789", min_size=10, max_size=10), st.integers(0, 8))
def test_any_swap_of_neighbouring_digits_changes_the_letter(digits, position):
    if digits[position] == digits[position + 1]:
        return
    swapped = digits[:position] + digits[position + 1] + digits[position] + digits[position + 2 :]
    assert not codes.is_valid(f"K{swapped}{codes.check_letter(digits)}")


def test_random_codes_have_the_seed_shape():
    for _ in range(50):
        code = codes.random_code()
        assert len(code) == 12 and code.startswith("K") and codes.is_valid(code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("plan", "months", "amount"),
    [
        (1, 5, "65.50"),
        (2, 4, "77.60"),
        (1, 1, "13.10"),
        (1, 3, "39.30"),
        (2, 6, "116.40"),
        (2, 5, "97.00"),
        (2, 8, "155.20"),
        (1, 4, "52.40"),
        (2, 1, "19.40"),
    ],
)
def test_amount_vectors_from_the_seed(plan, months, amount):
    assert contribution_amount(plan=Plan.objects.get(number=plan), months=months) == Decimal(amount)


@pytest.mark.django_db
def test_twelve_months_is_the_yearly_amount_of_every_plan():
    for plan in Plan.objects.all():
        assert contribution_amount(plan=plan, months=12) == plan.yearly_amount


@pytest.mark.django_db
@pytest.mark.parametrize("months", [0, 13, -1, "abc", "5", 1.0, True, None, 1000])
def test_months_outside_1_to_12_are_refused(months):
    with pytest.raises(ApplicationError) as caught:
        contribution_amount(plan=Plan.objects.get(number=1), months=months)
    assert caught.value.message == MESSAGE_MONTHS


@given(
    monthly=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2),
    months=st.integers(min_value=1, max_value=12),
)
def test_amount_is_exact_decimal_monthly_times_months(monthly, months):
    amount = contribution_amount(plan=Plan(monthly_amount=monthly), months=months)
    assert amount == monthly * months
    assert amount.as_tuple().exponent == -2
    assert isinstance(amount, Decimal)
