import pytest

from contributions.models import Contribution
from contributions.services import contribution_mark_paid, contributions_expire_ended
from contributions.tasks import expire_ended_contributions
from tests.contributions.helpers import at
from tests.factories import ContributionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_active_and_renewed_become_expired_after_their_end_once():
    registration = RegistrationFactory()
    first = contribution_mark_paid(
        contribution=ContributionFactory(registration=registration, months=1),
        paid_at=at(2019, 12, 19, 16, 26, 12),
    )
    renewal = contribution_mark_paid(
        contribution=ContributionFactory(registration=registration, months=3, is_renewal=True),
        paid_at=at(2020, 1, 10, 10, 0, 0),
    )
    waiting = ContributionFactory(registration=RegistrationFactory())
    # at the last second of the first period nothing has ended yet
    assert contributions_expire_ended(now=at(2020, 1, 18, 23, 59, 59)) == 0
    assert contributions_expire_ended(now=at(2020, 1, 19, 0, 0, 0)) == 1
    first.refresh_from_db()
    assert first.status == Contribution.Status.EXPIRED
    assert first.status_changes.last().reason == "coverage period ended"
    assert contributions_expire_ended(now=at(2020, 4, 19, 0, 0, 0)) == 1
    assert contributions_expire_ended(now=at(2020, 4, 19, 0, 0, 0)) == 0  # idempotent
    renewal.refresh_from_db()
    waiting.refresh_from_db()
    assert renewal.status == Contribution.Status.EXPIRED
    assert waiting.status == Contribution.Status.SUBMITTED


def test_the_task_runs_the_service():
    contribution_mark_paid(contribution=ContributionFactory(months=1), paid_at=at(2019, 12, 19, 16, 26, 12))
    assert expire_ended_contributions.delay().get() == 1
