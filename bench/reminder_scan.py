"""Time the daily reminder scan over 1,000,000 contributions on PostgreSQL (target: under 1 second).

Run: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/matrix_portal python bench/reminder_scan.py [--json]
Uses its own database (<name>_scanbench, created and migrated on first use, kept for the next run), fills it
with 10,000 people and registrations and 100 contributions each (a monthly history of about eight years,
ending now or up to a year ahead), then times every query the daily task makes before it sends anything.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matrix_portal.settings.test")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

PEOPLE = 10_000
PER_PERSON = 100


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/reminder_scan.py needs DATABASE_URL pointing at PostgreSQL")
    name = settings.DATABASES["default"]["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{name}_scanbench"
    connection.creation.create_test_db(verbosity=0, keepdb=True, serialize=False)

    from contributions.models import Contribution
    from contributions.selectors import ended_contribution_ids
    from receipts.models import ReminderLog
    from receipts.selectors import reminders_due_for

    if Contribution.objects.count() < PEOPLE * PER_PERSON:
        fill()
    now = dt.datetime.now(dt.UTC)
    timings, due, parts = [], {}, {}
    for _ in range(args.runs):
        started = time.perf_counter()
        for notice in ReminderLog.Notice.values:
            part = time.perf_counter()
            due[notice] = len(list(reminders_due_for(notice=notice, now=now).values_list("pk", flat=True)))
            parts.setdefault(notice, []).append((time.perf_counter() - part) * 1000)
        part = time.perf_counter()
        due["ended"] = len(ended_contribution_ids(now=now, limit=1000))
        parts.setdefault("ended", []).append((time.perf_counter() - part) * 1000)
        timings.append((time.perf_counter() - started) * 1000)
    plan = reminders_due_for(notice=ReminderLog.Notice.DAYS_7, now=now).explain()
    result = {
        "name": "reminder_scan",
        "contributions": Contribution.objects.count(),
        "median_ms": round(statistics.median(timings), 1),
        "due": due,
        "parts_ms": {key: round(statistics.median(values), 1) for key, values in parts.items()},
        "uses_index": "contribution_coverage_end_idx" in plan,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"reminder scan over {result['contributions']:,} contributions: median "
            f"{result['median_ms']} ms over {args.runs} runs ({result['parts_ms']}); due {due}; "
            f"index {'used' if result['uses_index'] else 'NOT used'}"
        )
        print(plan)


def fill() -> None:
    """10,000 people with one registration each, then 1,000,000 contributions in one INSERT ... SELECT."""
    from django.db import connection, transaction

    from accounts.models import User
    from contributions.models import Office, Plan, Sector, SectorClass, SectorRegistration, State, Town

    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                ic_number=f"8{i:011d}",
                full_name=f"BENCH PERSON {i}",
                email=f"bench{i}@example.test",
                password="!",
                is_active=True,
            )
            for i in range(PEOPLE)
        )
        sector = Sector.objects.get(code="information-technology")
        sector_class = SectorClass.objects.filter(sector=sector).first()
        state = State.objects.get(code="KTN")
        town = Town.objects.filter(state=state).first()
        office = Office.objects.filter(is_active=True).first()
        SectorRegistration.objects.bulk_create(
            SectorRegistration(
                person=user,
                sector=sector,
                sector_class=sector_class,
                status="approved",
                self_employed_status="others",
                nationality="malaysian",
                race="malay",
                gender="male",
                address_line1="No. 1",
                state=state,
                town=town,
                postcode="18000",
                mobile="+60113388378",
                email=user.email,
                office=office,
            )
            for user in users
        )
        plan = Plan.objects.get(number=2)
        # Contribution k covers the month (k - 88) from now for odd registrations (88 months of history, then
        # renewals paid up to 11 months ahead) and (k - 100) for even ones, whose latest contribution covers
        # the current month, so they are the ones reminders are for. End dates spread over the month.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO contributions_contribution
                    (registration_id, person_id, sector_id, plan_id, months, amount, status,
                     is_renewal, coverage_start, coverage_end, coverage_cancelled_at, plan_locked_from,
                     paid_at, created_at)
                SELECT r.id, r.person_id, r.sector_id, %s, 1, 19.40,
                       CASE WHEN s.start + interval '30 days' < now() THEN 'expired'
                            WHEN k = 1 THEN 'active' ELSE 'renewed' END,
                       k > 1, s.start, s.start + interval '30 days' - interval '1 second', NULL,
                       s.start, s.start - interval '3 days', s.start - interval '3 days'
                FROM contributions_sectorregistration r
                CROSS JOIN generate_series(1, %s) AS k
                CROSS JOIN LATERAL (
                    SELECT date_trunc('day', now())
                           + (k - 88 - (1 - r.id %% 2) * 12) * interval '30 days'
                           - (r.id %% 30) * interval '1 day' AS start
                ) s
                """,
                [plan.pk, PER_PERSON],
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE contributions_contribution")


if __name__ == "__main__":
    main()
