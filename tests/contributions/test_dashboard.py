"""Dashboard: the three panels, and per sector coverage now, until when, the timeline and its gaps."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contributions.models import Sector
from contributions.selectors import coverage_by_sector
from contributions.services import contribution_mark_paid
from tests.contributions.helpers import at
from tests.factories import ContributionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("contributions:dashboard")


def paid(registration, months, paid_at, *, is_renewal=False):
    contribution = ContributionFactory(registration=registration, months=months, is_renewal=is_renewal)
    return contribution_mark_paid(contribution=contribution, paid_at=paid_at)


def test_three_panels_and_sidebar(person_client):
    page = person_client.get(DASHBOARD).content.decode()
    for text in [
        "REGISTRATION & CONTRIBUTION",
        "CONTRIBUTION HISTORY",
        "CONTRIBUTION RENEWAL",
        "Dashboard",
        "Home",
    ]:
        assert text in page
    assert reverse("contributions:register") in page
    assert reverse("contributions:history") in page
    assert reverse("contributions:renewal") in page
    assert "SETTINGS" in page and "CONTACT" in page and "1-300-22-8000" in page


def test_covered_now_until_the_end_of_a_renewal_paid_in_time(person_client, person):
    registration = RegistrationFactory(person=person)
    paid(registration, 1, at(2019, 12, 23, 16, 15, 39))
    paid(registration, 4, at(2019, 12, 27, 16, 35, 8), is_renewal=True)
    with time_machine.travel(at(2020, 2, 1, 12, 0, 0), tick=False):
        response = person_client.get(DASHBOARD)
    (summary,) = response.context["coverage"]
    assert summary.covered_now and summary.gaps == []
    page = response.content.decode()
    assert "Covered until 22-05-2020 23:59:59" in page
    assert "<svg" in page and "timeline__covered" in page and "timeline__gap" not in page


def test_gaps_between_periods_and_since_the_last_expiry_are_shown(person_client, person):
    registration = RegistrationFactory(person=person)
    paid(registration, 1, at(2019, 12, 19, 16, 26, 12))  # to 18-01-2020 23:59:59
    paid(
        registration, 3, at(2020, 2, 10, 9, 0, 0), is_renewal=True
    )  # lapsed: 10-02-2020 09:00:00 to 09-05-2020
    with time_machine.travel(at(2020, 6, 1, 8, 0, 0), tick=False):
        response = person_client.get(DASHBOARD)
    (summary,) = response.context["coverage"]
    assert not summary.covered_now
    assert [(g.start, g.end) for g in summary.gaps] == [
        (at(2020, 1, 19, 0, 0, 0), at(2020, 2, 10, 8, 59, 59)),
        (at(2020, 5, 10, 0, 0, 0), at(2020, 6, 1, 8, 0, 0)),
    ]
    page = response.content.decode()
    assert "Not covered now" in page and "Last coverage ended 09-05-2020 23:59:59" in page
    assert "19-01-2020 00:00:00 – 10-02-2020 08:59:59" in page
    assert page.count('class="timeline__gap"') == 2


def test_mandatory_sector_without_coverage_gets_a_notice(person_client, person):
    RegistrationFactory(person=person, sector=Sector.objects.get(code="passenger-transport"))
    RegistrationFactory(person=person, sector=Sector.objects.get(code="art"))
    page = person_client.get(DASHBOARD).content.decode()
    assert "Registration Status" in page
    assert "You are not covered in Passenger Transport." in page
    assert "You are not covered in Art." not in page


def test_no_notice_while_a_mandatory_sector_is_covered(person_client, person):
    registration = RegistrationFactory(person=person, sector=Sector.objects.get(code="hawkers"))
    paid(registration, 12, dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=2))
    page = person_client.get(DASHBOARD).content.decode()
    assert "You are not covered in" not in page
    assert "Covered now" in page


def test_dashboard_queries_are_bounded(person_client, person, django_assert_max_num_queries):
    for sector in Sector.objects.all()[:10]:
        registration = RegistrationFactory(person=person, sector=sector)
        paid(registration, 2, at(2020, 1, 1, 10, 0, 0))
        paid(registration, 2, at(2020, 1, 2, 10, 0, 0), is_renewal=True)
    with django_assert_max_num_queries(10):
        assert person_client.get(DASHBOARD).status_code == 200


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.datetimes(min_value=dt.datetime(2019, 1, 1), max_value=dt.datetime(2030, 12, 31)),
    plan=st.lists(st.tuples(st.integers(1, 12), st.integers(0, 40)), min_size=1, max_size=5),
)
def test_periods_never_overlap_and_renewals_paid_in_time_leave_no_gap(start, plan):
    """Each renewal is paid some days before the current expiry (or on it); the chain has no gap."""
    person = UserFactory()
    registration = RegistrationFactory(person=person)
    paid_at = start.replace(tzinfo=at(2020, 1, 1).tzinfo)
    contribution = paid(registration, plan[0][0], paid_at)
    for months, days_early in plan[1:]:
        pay_time = max(paid_at, contribution.coverage_end - dt.timedelta(days=days_early))
        contribution = paid(registration, months, pay_time, is_renewal=True)
    (summary,) = [s for s in coverage_by_sector(person=person, now=paid_at) if s.registration == registration]
    periods = sorted(summary.periods, key=lambda p: p.start)
    for before, after in zip(periods, periods[1:], strict=False):
        assert after.start > before.end
        assert after.start - before.end == dt.timedelta(seconds=1)
    assert summary.gaps == []
