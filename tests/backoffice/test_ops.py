"""The operations dashboard: figures from the database, drawn as SVG and also given as tables."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contributions.models import Sector, SectorRegistration
from matrix_portal.backoffice_selectors import (
    payments_per_day,
    pending_fpx_summary,
    registrations_per,
    review_queue_summary,
)
from matrix_portal.backoffice_views import payments_chart
from payments.models import Payment
from tests.backoffice.conftest import paid_payment
from tests.factories import ContributionFactory, PaymentFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
MYT = ZoneInfo("Asia/Kuala_Lumpur")
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=MYT)


def test_payments_per_day_splits_online_and_cash_on_malaysian_days():
    paid_payment(
        RegistrationFactory(), paid_at=dt.datetime(2026, 3, 10, 0, 30, tzinfo=MYT), months=4
    )  # 77.60
    paid_payment(RegistrationFactory(), paid_at=dt.datetime(2026, 3, 9, 23, 59, tzinfo=MYT), method="cash")
    paid_payment(RegistrationFactory(), paid_at=dt.datetime(2026, 3, 9, 10, 0, tzinfo=MYT), months=1)  # 19.40
    paid_payment(RegistrationFactory(), paid_at=dt.datetime(2026, 1, 1, 10, 0, tzinfo=MYT))  # too old
    days = payments_per_day(days=30, now=NOW)
    assert len(days) == 30
    assert days[0]["day"] == dt.date(2026, 2, 9)
    assert days[-1] == {
        "day": dt.date(2026, 3, 10),
        "online_count": 1,
        "online_amount": Decimal("77.60"),
        "cash_count": 0,
        "cash_amount": Decimal("0.00"),
        "voided_count": 0,
        "voided_amount": Decimal("0.00"),
    }
    assert days[-2]["online_count"] == 1
    assert days[-2]["online_amount"] == Decimal("19.40")
    assert days[-2]["cash_count"] == 1
    assert days[-2]["cash_amount"] == Decimal("77.60")
    assert sum(day["online_count"] + day["cash_count"] for day in days) == 3


def test_the_chart_scales_to_the_busiest_day():
    days = [
        {"day": dt.date(2026, 3, 1), "online_amount": Decimal("60"), "cash_amount": Decimal("20")},
        {"day": dt.date(2026, 3, 2), "online_amount": Decimal("40"), "cash_amount": Decimal("0")},
    ]
    chart = payments_chart(days)
    first, second = chart["bars"]
    assert first["online_height"] + first["cash_height"] == chart["height"]
    assert first["cash_y"] == 0
    assert second["online_height"] == chart["height"] / 2
    assert second["x"] > first["x"]


def test_an_empty_month_draws_no_bars():
    chart = payments_chart(payments_per_day(days=30, now=NOW))
    assert all(bar["online_height"] == 0 and bar["cash_height"] == 0 for bar in chart["bars"])


def test_registrations_per_sector_and_queue_and_pending_fpx(reviewer):
    from contributions.review import registration_approve

    it = Sector.objects.get(code="information-technology")
    old = RegistrationFactory(submitted_at=timezone.now() - dt.timedelta(days=3))
    RegistrationFactory()
    approved = RegistrationFactory()
    registration_approve(registration_id=approved.pk, reviewer=reviewer)
    PaymentFactory(contribution=ContributionFactory(registration=approved))

    rows = {row["label"]: row for row in registrations_per(Sector, "sector")}
    assert rows[it.name] == {"label": it.name, "total": 3, "submitted": 2, "approved": 1, "rejected": 0}
    assert len(rows) == Sector.objects.count()
    assert review_queue_summary() == {"size": 2, "oldest": old.submitted_at}
    assert pending_fpx_summary()["count"] == 1


def test_the_dashboard_page_shows_charts_and_tables(client, supervisor):
    RegistrationFactory(submitted_at=timezone.now() - dt.timedelta(days=2))
    paid_payment(RegistrationFactory(status=SectorRegistration.Status.APPROVED), paid_at=timezone.now())
    client.force_login(supervisor)
    response = client.get(reverse("backoffice:ops"))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<svg class="chart__svg"' in body
    assert body.count('class="chart__online"') == 30
    assert "<meter" in body
    assert "RM 77.60" in body
    assert 'data-testid="queue-size">1<' in body
    assert "style=" not in body  # no inline styles: the CSP would block them


def test_reminders_sent_is_counted_when_the_reminder_log_exists(client, supervisor):
    from matrix_portal.backoffice_selectors import _reminder_log_model, reminders_sent

    model = _reminder_log_model()
    if model is None:
        # Without a reminder log the dashboard says so instead of showing a number.
        assert reminders_sent(now=NOW) is None
        client.force_login(supervisor)
        assert "Reminders are not recorded" in client.get(reverse("backoffice:ops")).content.decode()
        return
    contribution = paid_payment(RegistrationFactory(), paid_at=NOW - dt.timedelta(days=40)).contribution
    contribution.refresh_from_db()
    notice = model._meta.get_field("notice").choices[0][0]
    model.objects.create(
        contribution=contribution,
        notice=notice,
        coverage_end=contribution.coverage_end,
        sent_at=NOW - dt.timedelta(days=2),
    )
    result = reminders_sent(now=NOW)
    assert result["total"] == 1
    assert result["per_notice"][0]["count"] == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minutes_ago=st.lists(st.integers(min_value=0, max_value=35 * 24 * 60), min_size=1, max_size=4))
def test_each_payment_counts_once_on_its_malaysian_day(minutes_ago):
    with transaction.atomic():
        for minutes in minutes_ago:
            PaymentFactory(status=Payment.Status.PAID, paid_at=NOW - dt.timedelta(minutes=minutes))
        days = payments_per_day(days=30, now=NOW)
        transaction.set_rollback(True)
    first_day = days[0]["day"]
    expected = {}
    for minutes in minutes_ago:
        day = (NOW - dt.timedelta(minutes=minutes)).astimezone(MYT).date()
        if day >= first_day:
            expected[day] = expected.get(day, 0) + 1
    assert {d["day"]: d["online_count"] for d in days if d["online_count"]} == expected
    assert len(days) == 30 and days[-1]["day"] == NOW.date()


@pytest.mark.parametrize("registrations", [1, 30])
def test_dashboard_query_count_does_not_grow(
    client, supervisor, django_assert_max_num_queries, registrations
):
    for registration in RegistrationFactory.create_batch(registrations):
        paid_payment(registration, paid_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(supervisor)
    with django_assert_max_num_queries(16):  # 16 = 15 + django-otp loading the verified device
        assert client.get(reverse("backoffice:ops")).status_code == 200


def _cash_taken_and_voided(counter_staff, supervisor, *, at):
    """Two cash entries taken at `at` (RM 77.60 and RM 38.80); the first voided by a supervisor."""
    from contributions.models import Office
    from payments import counter_services
    from tests.counter.conftest import take

    office = Office.objects.get(code="kuala-krai")
    voided = take(ContributionFactory(months=4), counter_staff, office, now=at)
    take(ContributionFactory(months=2), counter_staff, office, now=at)
    counter_services.cash_void(payment_id=voided.pk, supervisor=supervisor, reason="Keyed twice", now=at)


def test_voided_cash_is_not_counted_as_paid_but_shown_apart(counter_staff, supervisor):
    _cash_taken_and_voided(counter_staff, supervisor, at=NOW - dt.timedelta(hours=1))
    today = payments_per_day(days=30, now=NOW)[-1]
    assert today["cash_count"] == 1
    assert today["cash_amount"] == Decimal("38.80")
    assert today["voided_count"] == 1
    assert today["voided_amount"] == Decimal("77.60")


def test_the_dashboard_totals_leave_voided_cash_out(client, counter_staff, supervisor):
    _cash_taken_and_voided(counter_staff, supervisor, at=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(supervisor)
    response = client.get(reverse("backoffice:ops"))
    assert response.context["totals"]["cash_amount"] == Decimal("38.80")
    assert response.context["totals"]["cash_count"] == 1
    page = response.content.decode()
    assert 'data-testid="cash-total">RM 38.80<' in page
    assert 'data-testid="voided-total">RM 77.60<' in page
    assert "1 entry voided, not counted as paid" in page
