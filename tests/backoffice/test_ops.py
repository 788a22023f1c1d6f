"""The operations dashboard: figures from the database, drawn as SVG and also given as tables."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from contributions.models import Sector, SectorRegistration
from matrix_portal.backoffice_selectors import (
    payments_per_day,
    pending_fpx_summary,
    registrations_per,
    review_queue_summary,
)
from matrix_portal.backoffice_views import payments_chart
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
