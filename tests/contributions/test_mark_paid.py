import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contributions.models import Contribution
from contributions.services import (
    contribution_mark_paid,
    coverage_and_plan_lock,
    covered_until,
    current_plan_lock,
)
from matrix_portal.errors import ApplicationError
from tests.factories import ContributionFactory

MYT = ZoneInfo("Asia/Kuala_Lumpur")
pytestmark = pytest.mark.django_db


def test_first_payment_activates_and_fixes_the_window_at_confirmation():
    contribution = ContributionFactory(months=1)
    paid = contribution_mark_paid(
        contribution=contribution, paid_at=dt.datetime(2019, 12, 23, 16, 15, 39, tzinfo=MYT)
    )
    assert paid.status == Contribution.Status.ACTIVE
    assert paid.coverage_start.astimezone(MYT).strftime("%d-%m-%Y %H:%M:%S") == "23-12-2019 16:15:39"
    assert paid.coverage_end.astimezone(MYT).strftime("%d-%m-%Y %H:%M:%S") == "22-01-2020 23:59:59"
    assert paid.status_changes.get().to_status == "active"


def test_renewal_paid_while_covered_continues_the_next_day_and_is_renewed():
    first = ContributionFactory(months=1)
    contribution_mark_paid(contribution=first, paid_at=dt.datetime(2019, 12, 23, 16, 15, 39, tzinfo=MYT))
    renewal = ContributionFactory(registration=first.registration, months=4, is_renewal=True)
    paid = contribution_mark_paid(
        contribution=renewal, paid_at=dt.datetime(2019, 12, 27, 16, 35, 8, tzinfo=MYT)
    )
    assert paid.status == Contribution.Status.RENEWED
    assert paid.coverage_start.astimezone(MYT).strftime("%d-%m-%Y %H:%M:%S") == "23-01-2020 00:00:00"
    assert paid.coverage_end.astimezone(MYT).strftime("%d-%m-%Y %H:%M:%S") == "22-05-2020 23:59:59"
    assert paid.plan_locked_from == first.registration.contributions.get(pk=first.pk).plan_locked_from


def test_paying_twice_is_refused():
    contribution = ContributionFactory()
    contribution_mark_paid(contribution=contribution, paid_at=dt.datetime(2026, 1, 1, tzinfo=MYT))
    with pytest.raises(ApplicationError):
        contribution_mark_paid(contribution=contribution, paid_at=dt.datetime(2026, 1, 2, tzinfo=MYT))


def test_coverage_and_plan_lock_are_read_in_one_query(django_assert_num_queries):
    """The confirmation reads the registration's paid coverage and its plan lock with one statement."""
    first = ContributionFactory(months=1)
    contribution_mark_paid(contribution=first, paid_at=dt.datetime(2019, 12, 23, 16, 15, 39, tzinfo=MYT))
    second = ContributionFactory(registration=first.registration, plan=first.plan, months=3, is_renewal=True)
    contribution_mark_paid(contribution=second, paid_at=dt.datetime(2020, 1, 2, 9, 0, 0, tzinfo=MYT))
    cancelled = ContributionFactory(registration=first.registration, months=2, is_renewal=True)
    contribution_mark_paid(contribution=cancelled, paid_at=dt.datetime(2020, 1, 3, 9, 0, 0, tzinfo=MYT))
    Contribution.objects.filter(pk=cancelled.pk).update(
        coverage_cancelled_at=dt.datetime(2020, 1, 4, tzinfo=MYT)
    )
    ContributionFactory(registration=first.registration, months=1, is_renewal=True)  # open, not paid
    registration_id = first.registration_id
    with django_assert_num_queries(1):
        both = coverage_and_plan_lock(registration_id=registration_id)
    assert both.covered_until == dt.datetime(
        2020, 4, 22, 23, 59, 59, tzinfo=MYT
    )  # the cancelled one left out
    assert both.lock_at(dt.datetime(2020, 12, 22, 23, 59, 59, tzinfo=MYT)) == (
        first.plan_id,
        dt.datetime(2019, 12, 23, 16, 15, 39, tzinfo=MYT),
    )
    assert both.lock_at(dt.datetime(2020, 12, 23, tzinfo=MYT)) is None
    without_second = coverage_and_plan_lock(registration_id=registration_id, exclude_id=second.pk)
    assert without_second.covered_until == dt.datetime(2020, 1, 22, 23, 59, 59, tzinfo=MYT)
    assert (
        covered_until(registration_id=registration_id, exclude_id=second.pk) == without_second.covered_until
    )
    assert current_plan_lock(registration_id=registration_id, at=dt.datetime(2020, 6, 1, tzinfo=MYT)) == (
        first.plan_id,
        dt.datetime(2019, 12, 23, 16, 15, 39, tzinfo=MYT),
    )


def test_a_registration_without_paid_periods_has_no_coverage_and_no_lock():
    contribution = ContributionFactory()
    both = coverage_and_plan_lock(registration_id=contribution.registration_id)
    assert both.covered_until is None
    assert both.lock_at(dt.datetime(2026, 1, 1, tzinfo=MYT)) is None


def test_marking_paid_writes_only_what_it_changes():
    """One read of coverage and plan lock, the status-change row, and one UPDATE of the changed columns."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contributions.services import contribution_mark_paid_locked

    contribution = Contribution.objects.get(pk=ContributionFactory(months=1).pk)
    with CaptureQueriesContext(connection) as queries:
        contribution_mark_paid_locked(
            contribution=contribution, paid_at=dt.datetime(2019, 12, 23, 16, 15, 39, tzinfo=MYT)
        )
    assert len(queries) == 3
    update = queries[-1]["sql"]
    assert update.startswith('UPDATE "contributions_contribution" SET "status"')
    assert '"amount"' not in update and '"registration_id"' not in update
