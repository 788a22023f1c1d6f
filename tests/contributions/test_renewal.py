"""Renewal: the plan lock year, one open contribution per sector, rejected registrations."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from contributions.models import Contribution, Plan, SectorRegistration
from contributions.selectors import renewal_terms
from contributions.services import (
    MESSAGE_OPEN_CONTRIBUTION,
    MESSAGE_PLAN_LOCKED,
    MESSAGE_REGISTRATION_REJECTED,
    contribution_mark_paid,
    contribution_renew,
)
from matrix_portal.errors import ApplicationError
from tests.factories import ContributionFactory, RegistrationFactory

MYT = ZoneInfo("Asia/Kuala_Lumpur")
pytestmark = pytest.mark.django_db


def at(*args):
    return dt.datetime(*args, tzinfo=MYT)


def paid_registration(person, *, plan=2, months=1, paid_at=None):
    contribution = ContributionFactory(
        registration=RegistrationFactory(person=person), plan=Plan.objects.get(number=plan), months=months
    )
    contribution_mark_paid(contribution=contribution, paid_at=paid_at or at(2019, 12, 19, 16, 26, 12))
    return contribution.registration


def renew_url(registration):
    return reverse("contributions:renew", kwargs={"registration_id": registration.pk})


def test_inside_the_lock_year_the_locked_plan_is_shown_not_chosen(person_client, person):
    registration = paid_registration(person, plan=1, paid_at=at(2019, 12, 19, 16, 26, 12))
    with time_machine.travel(at(2020, 1, 10, 9, 0, 0), tick=False):
        response = person_client.get(renew_url(registration))
        page = response.content.decode()
        assert "RM 157.20 ANNUALLY" in page
        assert 'name="plan"' not in page
        assert "locked until 18-12-2020 23:59:59" in page
        assert "the new period starts on 19-01-2020 00:00:00, with no gap" in page
        # a different plan in the POST is ignored: the locked plan is used
        response = person_client.post(
            renew_url(registration),
            {"plan": Plan.objects.get(number=4).pk, "months": "3", "acknowledge": "on"},
        )
    renewal = Contribution.objects.get(registration=registration, is_renewal=True)
    assert response.status_code == 302
    assert response.url == reverse("payments:pay_now", kwargs={"contribution_id": renewal.pk})
    assert renewal.plan.number == 1 and renewal.amount == Decimal("39.30")
    assert renewal.status == Contribution.Status.SUBMITTED


def test_the_service_refuses_another_plan_inside_the_lock_year(person):
    registration = paid_registration(person, plan=2)
    with pytest.raises(ApplicationError) as caught:
        contribution_renew(
            person=person,
            registration_id=registration.pk,
            plan=Plan.objects.get(number=3),
            months=2,
            now=at(2020, 3, 1, 10, 0, 0),
        )
    assert caught.value.message == MESSAGE_PLAN_LOCKED


def test_the_first_renewal_starting_after_the_lock_may_choose_a_new_plan(person):
    # paid 19-12-2019 16:26:12 for 12 months: covered to 18-12-2020 23:59:59, lock ends at the same moment
    registration = paid_registration(person, plan=1, months=12)
    inside = renewal_terms(registration=registration, now=at(2020, 6, 1, 12, 0, 0))
    # still covered, so the renewal would start 19-12-2020 00:00:00: after the lock year
    assert inside.expected_start == at(2020, 12, 19, 0, 0, 0)
    assert inside.locked_plan is None
    renewal = contribution_renew(
        person=person,
        registration_id=registration.pk,
        plan=Plan.objects.get(number=4),
        months=1,
        now=at(2020, 6, 1, 12, 0, 0),
    )
    paid = contribution_mark_paid(contribution=renewal, paid_at=at(2020, 6, 1, 12, 5, 0))
    assert paid.coverage_start == at(2020, 12, 19, 0, 0, 0)
    assert paid.plan_locked_from == paid.coverage_start  # a new lock year starts with the new plan
    later = renewal_terms(registration=registration, now=at(2020, 12, 20, 8, 0, 0))
    assert later.locked_plan.number == 4


def test_a_lapsed_sector_inside_the_lock_year_keeps_its_plan(person_client, person):
    registration = paid_registration(person, plan=2, months=1, paid_at=at(2019, 12, 23, 16, 15, 39))
    with time_machine.travel(at(2020, 5, 1, 9, 0, 0), tick=False):
        page = person_client.get(renew_url(registration)).content.decode()
    assert "Your coverage ended on 22-01-2020 23:59:59" in page
    terms = renewal_terms(registration=registration, now=at(2020, 5, 1, 9, 0, 0))
    assert terms.expected_start == at(2020, 5, 1, 9, 0, 0)
    assert terms.locked_plan.number == 2
    assert terms.is_renewal


def test_only_one_open_contribution_per_sector(person_client, person):
    registration = paid_registration(person)
    # paid in 2019: the lock year is long over, so a plan is chosen
    choice = {"plan": Plan.objects.get(number=3).pk, "acknowledge": "on"}
    first = person_client.post(renew_url(registration), {**choice, "months": "2"})
    assert first.status_code == 302
    assert registration.contributions.get(is_renewal=True).amount == Decimal("73.80")
    second = person_client.post(renew_url(registration), {**choice, "months": "5"})
    assert second.status_code == 200
    assert str(MESSAGE_OPEN_CONTRIBUTION) in second.content.decode()
    assert registration.contributions.filter(status=Contribution.Status.SUBMITTED).count() == 1
    open_contribution = registration.contributions.get(status=Contribution.Status.SUBMITTED)
    pay_url = reverse("payments:pay_now", kwargs={"contribution_id": open_contribution.pk})
    assert pay_url in person_client.get(renew_url(registration)).content.decode()


def test_a_rejected_registration_cannot_be_renewed_but_may_register_again(person_client, person):
    registration = paid_registration(person)
    SectorRegistration.objects.filter(pk=registration.pk).update(status=SectorRegistration.Status.REJECTED)
    response = person_client.post(renew_url(registration), {"months": "2", "acknowledge": "on"})
    assert str(MESSAGE_REGISTRATION_REJECTED) in response.content.decode()
    assert not registration.contributions.filter(is_renewal=True).exists()


@pytest.mark.parametrize("months", ["0", "13", "abc", "1e3", ""])
def test_bad_months_are_explained(person_client, person, months):
    registration = paid_registration(person)
    response = person_client.post(renew_url(registration), {"months": months, "acknowledge": "on"})
    assert response.status_code == 200
    assert "Choose from 1 to 12 contribution months." in response.content.decode()
    assert not registration.contributions.filter(is_renewal=True).exists()


def test_without_acknowledgement_nothing_is_opened(person_client, person):
    registration = paid_registration(person)
    response = person_client.post(renew_url(registration), {"months": "2"})
    assert "Tick the box" in response.content.decode()
    assert not registration.contributions.filter(is_renewal=True).exists()


def test_another_persons_registration_is_404(person_client):
    other = RegistrationFactory()
    assert person_client.get(renew_url(other)).status_code == 404
    assert person_client.post(renew_url(other), {"months": "2", "acknowledge": "on"}).status_code == 404


def test_renewal_panel_lists_renewable_sectors_only(person_client, person):
    renewable = paid_registration(person)
    RegistrationFactory(
        person=person, sector=renewable.sector.__class__.objects.get(code="art")
    )  # never paid
    waiting = ContributionFactory(
        registration=RegistrationFactory(
            person=person, sector=renewable.sector.__class__.objects.get(code="agent")
        )
    )
    page = person_client.get(reverse("contributions:renewal")).content.decode()
    assert renew_url(renewable) in page
    assert renew_url(waiting.registration) not in page
    assert "ART" not in page
