"""The benefit estimator: what each plan pays, from the scheme's published rates (all Decimal)."""

from dataclasses import dataclass
from decimal import Decimal

from matrix_portal.money import quantize

TDB_RATE = Decimal("0.80")
TDB_MINIMUM_PER_DAY = Decimal("30.00")
PERIODICAL_RATE = Decimal("0.90")
DAYS_PER_MONTH = Decimal(30)
CONSTANT_ATTENDANCE_PER_MONTH = Decimal("500.00")
FUNERAL_MAXIMUM = Decimal("2000.00")
SEED_AGE_FACTOR_UNDER_20 = 8873


@dataclass(frozen=True)
class PlanBenefits:
    insured_monthly_earning: Decimal
    temporary_disablement_per_day: Decimal
    dependants_per_month: Decimal
    constant_attendance_per_month: Decimal


def temporary_disablement_per_day(*, insured_monthly_earning: Decimal) -> Decimal:
    """80% of the insured monthly earning / 30 days, at least RM30.00 a day."""
    return max(quantize(insured_monthly_earning * TDB_RATE / DAYS_PER_MONTH), TDB_MINIMUM_PER_DAY)


def dependants_per_month(*, insured_monthly_earning: Decimal) -> Decimal:
    return quantize(insured_monthly_earning * PERIODICAL_RATE)


def permanent_disablement_lump_sum(
    *, insured_monthly_earning: Decimal, assessment_percent: Decimal, age_factor: Decimal
) -> Decimal:
    """(IME x 90% / 30 days) x assessment % x age factor, rounded once at the end."""
    if not (Decimal(0) < assessment_percent <= Decimal(100)):
        raise ValueError("assessment must be above 0% and at most 100%")
    if age_factor <= 0:
        raise ValueError("age factor must be positive")
    daily = insured_monthly_earning * PERIODICAL_RATE / DAYS_PER_MONTH
    return quantize(daily * (assessment_percent / Decimal(100)) * age_factor)


def funeral_benefit(*, actual_cost: Decimal) -> Decimal:
    if actual_cost < 0:
        raise ValueError("cost cannot be negative")
    return quantize(min(actual_cost, FUNERAL_MAXIMUM))


def plan_benefits(*, insured_monthly_earning: Decimal) -> PlanBenefits:
    return PlanBenefits(
        insured_monthly_earning=insured_monthly_earning,
        temporary_disablement_per_day=temporary_disablement_per_day(
            insured_monthly_earning=insured_monthly_earning
        ),
        dependants_per_month=dependants_per_month(insured_monthly_earning=insured_monthly_earning),
        constant_attendance_per_month=CONSTANT_ATTENDANCE_PER_MONTH,
    )
