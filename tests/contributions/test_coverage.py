import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contributions.coverage import coverage_end, coverage_window, plan_lock_end

MYT = ZoneInfo("Asia/Kuala_Lumpur")


def myt(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%d-%m-%Y %H:%M:%S").replace(tzinfo=MYT)


def shown(value: dt.datetime) -> str:
    return value.astimezone(MYT).strftime("%d-%m-%Y %H:%M:%S")


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        # The seed's contribution history table.
        ("19-12-2019 16:26:12", 1, "18-01-2020 23:59:59"),
        ("19-01-2020 00:00:00", 3, "18-04-2020 23:59:59"),
        ("23-04-2020 00:00:00", 8, "22-12-2020 23:59:59"),
        ("19-12-2019 17:12:19", 5, "18-05-2020 23:59:59"),
        ("23-12-2019 16:15:39", 1, "22-01-2020 23:59:59"),
        ("23-12-2019 16:29:15", 6, "22-06-2020 23:59:59"),
        ("23-12-2019 16:35:47", 5, "22-05-2020 23:59:59"),
        ("27-12-2019 16:25:42", 4, "26-04-2020 23:59:59"),
        ("23-01-2020 00:00:00", 4, "22-05-2020 23:59:59"),
        ("19-05-2020 00:00:00", 3, "18-08-2020 23:59:59"),
        # Month ends and leap years: the day does not exist, so the last day of that month.
        ("31-01-2020 10:00:00", 1, "29-02-2020 23:59:59"),
        ("31-01-2021 10:00:00", 1, "28-02-2021 23:59:59"),
        ("30-01-2024 09:00:00", 1, "29-02-2024 23:59:59"),
        ("29-02-2024 12:00:00", 12, "28-02-2025 23:59:59"),
        ("31-03-2026 08:00:00", 1, "30-04-2026 23:59:59"),
        ("01-03-2026 00:00:00", 1, "31-03-2026 23:59:59"),
        ("31-12-2026 23:59:59", 2, "28-02-2027 23:59:59"),
    ],
)
def test_coverage_end_matches_the_seed_vectors(start, months, end):
    assert shown(coverage_end(start=myt(start), months=months)) == end


def test_renewal_paid_while_covered_starts_the_day_after_expiry():
    start, end = coverage_window(
        paid_at=myt("27-12-2019 16:35:08"), months=4, covered_until=myt("22-01-2020 23:59:59")
    )
    assert shown(start) == "23-01-2020 00:00:00"
    assert shown(end) == "22-05-2020 23:59:59"


def test_payment_after_expiry_starts_at_the_confirmation_time():
    start, _ = coverage_window(
        paid_at=myt("01-03-2020 09:00:01"), months=1, covered_until=myt("18-01-2020 23:59:59")
    )
    assert shown(start) == "01-03-2020 09:00:01"


def test_utc_payment_time_is_read_in_malaysian_time():
    # 16:30 UTC is 00:30 the next day in Kuala Lumpur.
    paid = dt.datetime(2026, 1, 31, 16, 30, tzinfo=dt.UTC)
    start, end = coverage_window(paid_at=paid, months=1)
    assert shown(start) == "01-02-2026 00:30:00"
    assert shown(end) == "28-02-2026 23:59:59"


def test_plan_lock_lasts_twelve_months():
    assert shown(plan_lock_end(locked_from=myt("19-12-2019 16:26:12"))) == "18-12-2020 23:59:59"


@pytest.mark.parametrize("months", [0, 13, -1])
def test_months_outside_one_to_twelve_are_refused(months):
    with pytest.raises(ValueError):
        coverage_window(paid_at=myt("01-01-2026 00:00:00"), months=months)


datetimes = st.datetimes(min_value=dt.datetime(2017, 6, 1), max_value=dt.datetime(2040, 12, 31)).map(
    lambda d: d.replace(microsecond=0, tzinfo=MYT)
)


@given(paid_at=datetimes, months=st.integers(1, 12))
def test_period_is_about_n_months_and_ends_just_before_midnight(paid_at, months):
    start, end = coverage_window(paid_at=paid_at, months=months)
    local_end = end.astimezone(MYT)
    assert (local_end.hour, local_end.minute, local_end.second) == (23, 59, 59)
    assert end > start
    days = (local_end.date() - start.astimezone(MYT).date()).days + 1
    assert 28 * months - 3 <= days <= 31 * months


@given(paid_at=datetimes, plan=st.lists(st.integers(1, 12), min_size=1, max_size=8))
def test_renewals_paid_in_time_never_overlap_and_leave_no_gap(paid_at, plan):
    _, end = coverage_window(paid_at=paid_at, months=plan[0])
    for months in plan[1:]:
        # Each renewal is paid some time before the current period ends.
        renewal_paid = end - dt.timedelta(days=1)
        next_start, next_end = coverage_window(paid_at=renewal_paid, months=months, covered_until=end)
        assert next_start > end
        assert next_start - end == dt.timedelta(seconds=1)
        end = next_end
