"""Property tests for the counter's date and money rules."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contributions.coverage import coverage_window
from contributions.models import Office, Plan
from payments import counter_services
from tests.factories import ContributionFactory, StaffFactory

MYT = ZoneInfo("Asia/Kuala_Lumpur")
UTC = dt.UTC
moments = st.datetimes(
    min_value=dt.datetime(2019, 1, 1), max_value=dt.datetime(2035, 12, 31), timezones=st.just(UTC)
)


@given(paid_at=moments, later=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=3)))
def test_same_day_means_the_same_malaysian_calendar_day(paid_at, later):
    now = paid_at + later
    expected = paid_at.astimezone(MYT).date() == now.astimezone(MYT).date()
    assert counter_services.same_counter_day(paid_at=paid_at, now=now) is expected


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    months=st.integers(min_value=1, max_value=12),
    plan_number=st.integers(min_value=1, max_value=4),
    paid_at=moments,
)
def test_cash_amount_and_coverage_follow_the_online_rules(months, plan_number, paid_at):
    plan = Plan.objects.get(number=plan_number)
    contribution = ContributionFactory(months=months, plan=plan)
    staff = StaffFactory()
    payment = counter_services.cash_payment_take(
        contribution_id=contribution.pk,
        staff=staff,
        office=Office.objects.get(code="kuala-krai"),
        idempotency_key=str(uuid.uuid4()),
        now=paid_at,
    ).payment
    contribution.refresh_from_db()
    assert payment.amount == plan.monthly_amount * months
    assert (contribution.coverage_start, contribution.coverage_end) == coverage_window(
        paid_at=paid_at, months=months, covered_until=None
    )
