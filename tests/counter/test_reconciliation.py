"""End-of-day reconciliation: per member of staff and per office, with voids, on screen and as CSV."""

import csv
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from matrix_portal.models import AuditEvent
from payments import counter_selectors, counter_services
from tests.counter.conftest import at, at_counter, take
from tests.factories import ContributionFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = at(2026, 11, 20, 9, 0)


@pytest.fixture
def day_of_cash(counter_staff, second_counter_staff, supervisor, office, other_office):
    """On 20-11-2026: Chong takes 77.60 + 19.40 at Kuala Krai, Devi 77.60 at another office (voided);
    one more entry on the 21st and one at 23:59:59 on the 19th, which belong to other days."""
    take(ContributionFactory(months=4), counter_staff, office, now=DAY)
    take(ContributionFactory(months=1), counter_staff, office, now=at(2026, 11, 20, 16, 0))
    voided = take(
        ContributionFactory(months=4), second_counter_staff, other_office, now=at(2026, 11, 20, 11, 0)
    )
    counter_services.cash_void(payment_id=voided.pk, supervisor=supervisor, reason="Wrong person", now=DAY)
    take(ContributionFactory(months=2), counter_staff, office, now=at(2026, 11, 21, 0, 0))
    take(ContributionFactory(months=2), counter_staff, office, now=at(2026, 11, 19, 23, 59, 59))
    return voided


def test_totals_per_staff_member_and_per_office(day_of_cash, office, other_office):
    report = counter_selectors.reconciliation(day=DAY.date())
    by_staff = {line.label: line for line in report.by_staff}
    assert (by_staff["CHONG COUNTER"].count, by_staff["CHONG COUNTER"].total) == (2, Decimal("97.00"))
    assert by_staff["CHONG COUNTER"].void_count == 0
    devi = by_staff["DEVI COUNTER"]
    assert (devi.count, devi.total, devi.void_count, devi.void_total, devi.net) == (
        1,
        Decimal("77.60"),
        1,
        Decimal("77.60"),
        Decimal("0.00"),
    )
    by_office = {line.label: line for line in report.by_office}
    assert by_office[office.name].net == Decimal("97.00")
    assert by_office[other_office.name].void_count == 1
    assert (report.total.count, report.total.total, report.total.net) == (
        3,
        Decimal("174.60"),
        Decimal("97.00"),
    )
    assert len(report.entries) == 3


def test_the_page_defaults_to_today_in_malaysia(client, day_of_cash, supervisor, office):
    with time_machine.travel(at(2026, 11, 20, 23, 30), tick=False):  # 15:30 UTC: still the 20th in Malaysia
        at_counter(client, supervisor, office)
        response = client.get(reverse("counter:reconciliation"))
    assert response.context["day"].isoformat() == "2026-11-20"
    page = response.content.decode()
    assert "RM 97.00" in page
    assert 'tabindex="0" role="region"' in page


def test_a_chosen_date_and_a_bad_date(client, day_of_cash, counter_staff, office):
    at_counter(client, counter_staff, office)
    response = client.get(reverse("counter:reconciliation"), {"date": "2026-11-21"})
    assert response.context["report"].total.count == 1
    response = client.get(reverse("counter:reconciliation"), {"date": "31-02-2026"})
    assert response.status_code == 200
    assert "Enter a date such as 2026-11-21." in response.content.decode()


def test_csv_has_the_same_totals_and_is_injection_safe(client, supervisor, counter_staff, office):
    person = UserFactory(full_name='=HYPERLINK("http://evil")')
    take(ContributionFactory(registration__person=person, months=4), counter_staff, office, now=DAY)
    at_counter(client, supervisor, office)
    response = client.get(reverse("counter:reconciliation_csv"), {"date": "2026-11-20"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Date", "Per", "Name"]
    staff_row = next(row for row in rows if row[1:3] == ["Staff", "CHONG COUNTER"])
    assert staff_row[4:9] == ["1", "77.60", "0", "0.00", "77.60"]
    total_row = next(row for row in rows if row[1] == "All")
    assert total_row[5] == "77.60"
    assert any(cell == '\'=HYPERLINK("http://evil")' for row in rows for cell in row)
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_the_page_keeps_to_a_query_budget(
    client, supervisor, counter_staff, office, django_assert_max_num_queries
):
    for months in range(1, 9):
        take(ContributionFactory(months=months), counter_staff, office, now=DAY)
    at_counter(client, supervisor, office)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("counter:reconciliation"), {"date": "2026-11-20"})
    assert response.context["report"].total.count == 8


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_counter_staff_see_only_the_cash_they_took(client, day_of_cash, counter_staff, office):
    at_counter(client, counter_staff, office)
    response = client.get(reverse("counter:reconciliation"), {"date": "2026-11-20"})
    report = response.context["report"]
    assert [line.label for line in report.by_staff] == ["CHONG COUNTER"]
    assert {entry.staff_id for entry in report.entries} == {counter_staff.pk}
    assert (report.total.count, report.total.net) == (2, Decimal("97.00"))
    page = response.content.decode()
    assert "DEVI COUNTER" not in page
    assert 'data-testid="own-only"' in page


def test_each_member_of_counter_staff_sees_their_own_voids(
    client, day_of_cash, second_counter_staff, other_office
):
    at_counter(client, second_counter_staff, other_office)
    report = client.get(reverse("counter:reconciliation"), {"date": "2026-11-20"}).context["report"]
    assert [entry.pk for entry in report.entries] == [day_of_cash.pk]
    assert (report.total.count, report.total.void_count, report.total.net) == (1, 1, Decimal("0.00"))


def test_counter_staff_csv_holds_only_their_own_cash(client, day_of_cash, counter_staff, office):
    at_counter(client, counter_staff, office)
    rows = _csv_rows(client.get(reverse("counter:reconciliation_csv"), {"date": "2026-11-20"}))
    assert not any("DEVI COUNTER" in row for row in rows)
    assert next(row for row in rows if row[1:2] == ["All"])[4:9] == ["2", "97.00", "0", "0.00", "97.00"]
    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert export.after["own_entries_only"] is True


@pytest.mark.parametrize("who", ["supervisor", "superuser"])
def test_supervisors_see_every_member_of_staff(client, day_of_cash, supervisor, office, who):
    from tests.factories import make_staff

    at_counter(client, supervisor if who == "supervisor" else make_staff("superuser"), office)
    response = client.get(reverse("counter:reconciliation"), {"date": "2026-11-20"})
    report = response.context["report"]
    assert {line.label for line in report.by_staff} == {"CHONG COUNTER", "DEVI COUNTER"}
    assert (report.total.count, report.total.net) == (3, Decimal("97.00"))
    assert 'data-testid="own-only"' not in response.content.decode()
    rows = _csv_rows(client.get(reverse("counter:reconciliation_csv"), {"date": "2026-11-20"}))
    assert any(row[1:3] == ["Staff", "DEVI COUNTER"] for row in rows)
