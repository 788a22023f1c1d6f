"""CONTRIBUTION HISTORY: the seed's columns and legends, newest first, paginated, filtered, Renew Now."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from contributions.models import Contribution, Plan, Sector
from contributions.views import HISTORY_PAGE_SIZE
from payments.models import Payment
from tests.contributions.helpers import at, pay
from tests.factories import ContributionFactory, PaymentFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
HISTORY = reverse("contributions:history")


def sector(code):
    return Sector.objects.get(code=code)


def test_columns_and_both_legends_as_in_the_seed(person_client, registered_person):
    ContributionFactory(registration=RegistrationFactory(person=registered_person))
    page = person_client.get(HISTORY).content.decode()
    for heading in [
        "Start Date Time",
        "Expiry Date Time",
        "Sector",
        "Contribution Plan",
        "Number of Contribution Months",
        "Contribution Amount",
        "Contribution Status",
        "Payment Status",
    ]:
        assert heading in page
    for legend in [
        "Registration is submitted.",
        "Coverage period is active. (12 Months)",
        "Contribution is cancelled.",
        "Coverage period expired. Please renew.",
        "Contribution is renewed.",
        "FPX transaction is in progress. Please retry after 60 minutes.",
        "FPX transaction is successful.",
        "FPX transaction is unsuccessful. Please proceed to make another payment.",
    ]:
        assert legend in page


def test_seed_rows_print_as_the_seed_prints_them(person_client, registered_person):
    registration = RegistrationFactory(person=registered_person, sector=sector("online-business"))
    first = ContributionFactory(registration=registration, plan=Plan.objects.get(number=1), months=1)
    pay(first, at(2019, 12, 19, 16, 26, 12))
    renewal = ContributionFactory(
        registration=registration, plan=Plan.objects.get(number=1), months=3, is_renewal=True
    )
    pay(renewal, at(2020, 1, 10, 10, 0, 0))
    response = person_client.get(HISTORY)
    page = response.content.decode()
    text = strip_tags(page)  # the date and the time are kept apart in the cell so they wrap between them
    assert "19-12-2019 16:26:12" in text and "18-01-2020 23:59:59" in text
    assert "19-01-2020 00:00:00" in text and "18-04-2020 23:59:59" in text
    assert '<span class="nowrap">19-12-2019</span> <span class="nowrap">16:26:12</span>' in page
    assert "ONLINE BUSINESS" in page and "RM 157.20" in page
    assert "RM 13.10" in page and "RM 39.30" in page and "3 Month(s)" in page
    rows = response.context["rows"]
    assert [r.pk for r in rows] == [renewal.pk, first.pk]  # newest first
    # both periods are over by now: shown as Expired, both paid
    assert [r.display_status for r in rows] == ["expired", "expired"]
    assert [r.payment_status for r in rows] == ["paid", "paid"]
    assert rows[0].receipt is not None and rows[0].receipt.payment.contribution_id == renewal.pk
    assert reverse("receipts:download", args=[rows[0].receipt.pk]) in page
    assert reverse("receipts:download", args=[rows[1].receipt.pk]) in page
    assert [r.renew_now for r in rows] == [True, False]


def test_statuses_read_from_the_latest_attempt_and_pay_now_on_submitted(person_client, registered_person):
    contribution = ContributionFactory(registration=RegistrationFactory(person=registered_person))
    PaymentFactory(contribution=contribution, status=Payment.Status.FAILED)
    response = person_client.get(HISTORY)
    row = response.context["rows"][0]
    assert (row.display_status, row.payment_status, row.renew_now) == ("submitted", "failed", False)
    assert (
        reverse("payments:pay_now", kwargs={"contribution_id": contribution.pk}) in response.content.decode()
    )


def test_active_contribution_within_its_period_reads_active(person_client, registered_person):
    contribution = ContributionFactory(registration=RegistrationFactory(person=registered_person), months=12)
    pay(contribution, dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=1))
    row = person_client.get(HISTORY).context["rows"][0]
    assert row.display_status == "active" and row.renew_now


def test_renew_now_only_on_the_latest_paid_of_a_sector_with_nothing_later(person_client, registered_person):
    accommodation = RegistrationFactory(person=registered_person, sector=sector("accommodation"))
    paid = ContributionFactory(registration=accommodation, months=6)
    pay(paid, at(2019, 12, 23, 16, 29, 15))
    agent = RegistrationFactory(person=registered_person, sector=sector("agent"))
    agent_paid = ContributionFactory(registration=agent, months=5)
    pay(agent_paid, at(2019, 12, 23, 16, 35, 47))
    waiting = ContributionFactory(registration=agent, months=1, is_renewal=True)  # later one, unpaid
    rejected = RegistrationFactory(person=registered_person, sector=sector("art"))
    art_paid = ContributionFactory(registration=rejected, months=4)
    pay(art_paid, at(2019, 12, 27, 16, 25, 42))
    rejected.status = "rejected"
    rejected.save()
    rows = {r.pk: r.renew_now for r in person_client.get(HISTORY).context["rows"]}
    assert rows == {paid.pk: True, agent_paid.pk: False, waiting.pk: False, art_paid.pk: False}


def test_filter_by_sector_and_pagination(person_client, registered_person):
    it = RegistrationFactory(person=registered_person, sector=sector("information-technology"))
    art = RegistrationFactory(person=registered_person, sector=sector("art"))
    for i in range(HISTORY_PAGE_SIZE + 5):
        ContributionFactory(
            registration=it,
            status=Contribution.Status.REJECTED,
            created_at=at(2020, 1, 1) + dt.timedelta(days=i),
        )
    ContributionFactory(registration=art)
    first_page = person_client.get(HISTORY)
    assert len(first_page.context["rows"]) == HISTORY_PAGE_SIZE == 50
    assert first_page.context["page"].paginator.count == HISTORY_PAGE_SIZE + 6
    second = person_client.get(HISTORY, {"page": 2})
    assert len(second.context["rows"]) == 6
    only_art = person_client.get(HISTORY, {"sector": art.sector_id})
    assert [r.sector_id for r in only_art.context["rows"]] == [art.sector_id]
    assert person_client.get(HISTORY, {"sector": "abc", "page": "zz"}).status_code == 200


def test_only_the_persons_own_contributions_are_listed(person_client, registered_person):
    ContributionFactory()  # someone else's
    mine = ContributionFactory(registration=RegistrationFactory(person=registered_person))
    assert [r.pk for r in person_client.get(HISTORY).context["rows"]] == [mine.pk]


@pytest.mark.parametrize("count", [1, 50])
def test_bounded_queries_however_many_rows(
    person_client, registered_person, django_assert_max_num_queries, count
):
    sectors = list(Sector.objects.order_by("sort_order"))
    for i in range(count):
        registration = (
            RegistrationFactory(person=registered_person, sector=sectors[i % 20]) if i < 20 else None
        )
        if registration is None:
            registration = registered_person.registrations.get(sector=sectors[i % 20])
            contribution = ContributionFactory(registration=registration, status=Contribution.Status.REJECTED)
            PaymentFactory(contribution=contribution, status=Payment.Status.FAILED)
        else:
            contribution = ContributionFactory(registration=registration, months=1)
            pay(contribution, at(2020, 1, 1, 10, 0, 0) + dt.timedelta(days=i), fpx_txn_id=f"{i:010d}")
    with django_assert_max_num_queries(12):
        response = person_client.get(HISTORY, {"page": 1})
    assert response.status_code == 200
    assert len(response.context["rows"]) == count  # all 50 on one page
    with django_assert_max_num_queries(12):
        person_client.get(HISTORY, {"page": 3})


def test_the_same_number_of_queries_at_1_and_50_rows(person_client, registered_person, settings):
    settings.PERSONAL_PAGE_CACHE_SECONDS = (
        0  # the page as rendered, not as kept (tests/portal/test_page_cache.py)
    )
    sectors = list(Sector.objects.order_by("sort_order")[:4])
    registrations = [RegistrationFactory(person=registered_person, sector=s) for s in sectors]

    def add(i):
        contribution = ContributionFactory(registration=registrations[i % 4], months=1)
        pay(contribution, at(2020, 1, 1, 10, 0, 0) + dt.timedelta(days=31 * i), fpx_txn_id=f"{i:010d}")

    def queries():
        person_client.get(HISTORY)  # the session's first save is not the page's
        with CaptureQueriesContext(connection) as captured:
            response = person_client.get(HISTORY)
        assert response.status_code == 200
        return len(response.context["rows"]), len(captured.captured_queries)

    add(0)
    rows_1, at_1 = queries()
    for i in range(1, 50):
        add(i)
    rows_50, at_50 = queries()
    assert (rows_1, rows_50) == (1, 50)
    assert at_1 == at_50 <= 12


def test_text_in_a_row_is_escaped(person_client, registered_person):
    """The rows are built as strings (contributions_format.history_rows): markup in a name stays text."""
    hostile = Sector.objects.get(code="online-business")
    hostile.name_en = hostile.name_ms = hostile.name_zh = 'Kedai <script>alert("x")</script> & "co"'
    hostile.save()
    ContributionFactory(registration=RegistrationFactory(person=registered_person, sector=hostile))
    page = person_client.get(HISTORY).content.decode()
    assert "<script>alert" not in page
    assert "KEDAI &lt;SCRIPT&gt;ALERT(&quot;X&quot;)&lt;/SCRIPT&gt; &amp; &quot;CO&quot;" in page
