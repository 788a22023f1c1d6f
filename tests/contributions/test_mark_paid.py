import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contributions.models import Contribution
from contributions.services import contribution_mark_paid
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
