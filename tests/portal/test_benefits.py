from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from matrix_portal.benefits import (
    dependants_per_month,
    funeral_benefit,
    permanent_disablement_lump_sum,
    temporary_disablement_per_day,
)

EARNINGS = [Decimal("1050"), Decimal("1550"), Decimal("2950"), Decimal("3950")]


@pytest.mark.parametrize(
    ("earning", "daily"), list(zip(EARNINGS, ["30.00", "41.33", "78.67", "105.33"], strict=True))
)
def test_temporary_disablement_daily_rate_per_plan(earning, daily):
    assert temporary_disablement_per_day(insured_monthly_earning=earning) == Decimal(daily)


@pytest.mark.parametrize(
    ("earning", "monthly"), list(zip(EARNINGS, ["945.00", "1395.00", "2655.00", "3555.00"], strict=True))
)
def test_dependants_benefit_is_ninety_percent(earning, monthly):
    assert dependants_per_month(insured_monthly_earning=earning) == Decimal(monthly)


def test_permanent_disablement_matches_the_seed_example():
    # (RM 3,950 x 90% / 30 days) x 20% x 8873 = RM 210,290.10
    assert permanent_disablement_lump_sum(
        insured_monthly_earning=Decimal("3950"), assessment_percent=Decimal("20"), age_factor=Decimal("8873")
    ) == Decimal("210290.10")


@pytest.mark.parametrize(("cost", "paid"), [("1500.50", "1500.50"), ("2000", "2000.00"), ("9000", "2000.00")])
def test_funeral_benefit_is_the_cost_up_to_two_thousand(cost, paid):
    assert funeral_benefit(actual_cost=Decimal(cost)) == Decimal(paid)


@pytest.mark.parametrize("percent", ["0", "-5", "100.01"])
def test_assessment_outside_range_is_refused(percent):
    with pytest.raises(ValueError):
        permanent_disablement_lump_sum(
            insured_monthly_earning=Decimal("1050"),
            assessment_percent=Decimal(percent),
            age_factor=Decimal(1),
        )


@given(
    earning=st.sampled_from(EARNINGS),
    percent=st.decimals("0.01", "100", places=2),
    factor=st.integers(1, 20000),
)
def test_lump_sum_grows_with_the_assessment_and_is_in_sen(earning, percent, factor):
    value = permanent_disablement_lump_sum(
        insured_monthly_earning=earning, assessment_percent=percent, age_factor=Decimal(factor)
    )
    assert value == value.quantize(Decimal("0.01"))
    assert value >= 0
    full = permanent_disablement_lump_sum(
        insured_monthly_earning=earning, assessment_percent=Decimal(100), age_factor=Decimal(factor)
    )
    assert value <= full


@pytest.mark.django_db
def test_estimator_page_shows_plan_rates_and_the_worked_example(client):
    response = client.get(
        reverse("benefits"),
        {"plan": "4", "assessment_percent": "20", "age_factor": "8873", "funeral_cost": "2500"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    for figure in ["RM 30.00", "RM 41.33", "RM 78.67", "RM 105.33", "RM 945.00", "RM 3,555.00", "RM 500.00"]:
        assert figure in body
    assert "RM 210,290.10" in body
    assert "RM 2,000.00" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        {"assessment_percent": "abc"},
        {"age_factor": "1e3"},
        {"plan": "9"},
        {"funeral_cost": "NaN"},
        {"assessment_percent": "Infinity"},
    ],
)
def test_estimator_bad_input_gets_a_message_not_an_error(client, bad):
    params = {"plan": "4", "assessment_percent": "20", "age_factor": "8873", "funeral_cost": "100", **bad}
    response = client.get(reverse("benefits"), params)
    assert response.status_code == 200
    assert "Please correct the items below." in response.content.decode()
