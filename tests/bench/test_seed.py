"""The bench's seeder writes data the portal's own rules would have produced (PostgreSQL: it uses COPY)."""

import datetime as dt
from collections import defaultdict

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from bench.seed import BENCH_PASSWORD, Seeder, Table
from contributions.coverage import coverage_window
from contributions.models import Contribution, SectorRegistration
from payments.models import Payment
from receipts.models import Receipt, ReceiptCounter

NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 15, 30, 0))


def test_columns_the_seeder_does_not_know_get_the_fields_default(db):
    table = Table(User, ["id", "ic_number"])
    assert "is_active" in table.columns and "language" in table.columns
    table.add(7, "900101141234")
    values = dict(zip(table.columns, table.lines[0].split("\t"), strict=True))
    assert values["id"] == "7"
    assert values["language"] == "en"
    assert values["is_active"] == "f"
    assert values["mobile"] == r"\N"  # nullable, no default
    assert values["full_name"] == ""


@pytest.mark.postgres
@pytest.mark.django_db
def test_seeded_rows_follow_the_portals_rules():
    seeder = Seeder(now=NOW, seed=1)
    seeder.add_staff(count=3)
    pool = seeder.history_pool(persons=2, rows=50)
    seeder.population(persons=60, contributions=300)
    seeder.unpaid_tail(failed=4, pending=3)
    orders = seeder.pending_orders(5)
    seeder.write(rebuild_indexes=True)

    assert User.objects.filter(is_staff=False).count() == 62
    paid = Contribution.objects.exclude(status="submitted")
    assert paid.count() >= 300 + 100
    # history pool: exactly 50 periods each, renewed back to back
    for person_id in pool:
        periods = list(Contribution.objects.filter(person_id=person_id).order_by("coverage_start"))
        assert len(periods) == 50
        for previous, following in zip(periods, periods[1:], strict=False):
            assert following.coverage_start > previous.coverage_end
    # every paid period: the coverage rule, one paid payment, one receipt copying it
    until: dict[int, dt.datetime] = {}
    for c in paid.order_by("registration_id", "paid_at").select_related("registration"):
        previous_end = until.get(c.registration_id)
        start, end = coverage_window(paid_at=c.paid_at, months=c.months, covered_until=previous_end)
        assert (c.coverage_start, c.coverage_end) == (start, end)
        until[c.registration_id] = end
        assert c.paid_at <= NOW
        assert c.status == ("expired" if end < NOW else ("renewed" if c.is_renewal else "active"))
        assert c.amount == c.plan.monthly_amount * c.months
    assert Payment.objects.filter(status="paid").count() == paid.count()
    assert Receipt.objects.count() == paid.count()
    receipt = Receipt.objects.select_related("payment__contribution").order_by("?").first()
    assert receipt.coverage_end == receipt.payment.contribution.coverage_end
    assert receipt.amount == receipt.payment.amount
    receipt.full_clean(exclude=["pdf", "pdf_sha256"])
    # gapless receipt numbers per year, and the counter continues from the last one
    sequences = defaultdict(list)
    for year, sequence, number in Receipt.objects.values_list("year", "sequence", "number"):
        sequences[year].append(sequence)
        assert number == f"{year:04d}{sequence:010d}"
    for year, numbers in sequences.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert ReceiptCounter.objects.get(year=year).last == len(numbers)
    # open periods: at most one per registration, with a pending or failed attempt
    assert not (
        Contribution.objects.filter(status="submitted")
        .values("registration_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    for order in orders:
        payment = Payment.objects.get(pk=order.payment_id)
        assert payment.status == "pending"
        assert payment.exchange_order_no == order.exchange_order_no
        assert payment.bank.fpx_id == order.bank_fpx_id
    # the indexes and constraints dropped for COPY are back
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s AND indexname = %s",
            [Payment._meta.db_table, "one_paid_payment_per_contribution"],
        )
        assert cursor.fetchone()[0] == 1
    assert seeder.periods_of[pool[0]] == 50
    # rows load through the ORM and pass the models' validation; the shared password works
    person = User.objects.get(pk=pool[0])
    person.full_clean(exclude=["password"])
    assert person.check_password(BENCH_PASSWORD)
    SectorRegistration.objects.filter(person=person).get().full_clean()
    # sequences continue after the copied ids
    assert Contribution.objects.create(
        registration_id=periods[0].registration_id,
        person=person,
        sector_id=periods[0].sector_id,
        plan_id=periods[0].plan_id,
        months=1,
        amount=periods[0].amount,
    ).pk > max(Contribution.objects.exclude(status="submitted").values_list("pk", flat=True))
