"""The expiry scan's ids: Active and Renewed contributions whose cover ended, earliest end first, limited."""

import datetime as dt

import pytest
from django.utils import timezone

from contributions.models import Contribution
from contributions.selectors import ended_contribution_ids
from tests.factories import ContributionFactory

pytestmark = pytest.mark.django_db


def ended(status, days_ago):
    now = timezone.now()
    end = now - dt.timedelta(days=days_ago)
    return ContributionFactory(
        status=status, coverage_start=end - dt.timedelta(days=30), coverage_end=end, paid_at=end
    )


def test_both_statuses_merged_in_coverage_end_order_and_limited():
    now = timezone.now()
    a = ended(Contribution.Status.ACTIVE, 3)
    r = ended(Contribution.Status.RENEWED, 5)
    b = ended(Contribution.Status.ACTIVE, 1)
    ended(Contribution.Status.EXPIRED, 10)
    ended(Contribution.Status.ACTIVE, -2)  # still covered
    assert ended_contribution_ids(now=now) == [r.pk, a.pk, b.pk]
    assert ended_contribution_ids(now=now, limit=2) == [r.pk, a.pk]
