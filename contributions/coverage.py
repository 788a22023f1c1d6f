"""The coverage window rule, fixed when a payment is confirmed.

End = 23:59:59 on the day before the same day of the month N months after the start date; when that day
does not exist in that month, 23:59:59 on the last day of that month. All in Malaysian time.
"""

import calendar
import datetime as dt

from django.utils import timezone


def add_months(day: dt.date, months: int) -> tuple[dt.date, bool]:
    """The same day of the month `months` later, and whether that day exists (else the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    if day.day <= last_day:
        return dt.date(year, month, day.day), True
    return dt.date(year, month, last_day), False


def coverage_end(*, start: dt.datetime, months: int) -> dt.datetime:
    local_start = timezone.localtime(start)
    same_day, exists = add_months(local_start.date(), months)
    last_covered_day = same_day - dt.timedelta(days=1) if exists else same_day
    return timezone.make_aware(dt.datetime.combine(last_covered_day, dt.time(23, 59, 59)))


def next_day_start(after: dt.datetime) -> dt.datetime:
    """00:00:00 Malaysian time on the day after `after`."""
    day = timezone.localtime(after).date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0, 0)))


def coverage_window(*, paid_at: dt.datetime, months: int, covered_until: dt.datetime | None = None):
    """(start, end) of a period paid at `paid_at`. A renewal paid while still covered starts the next day."""
    if not 1 <= months <= 12:
        raise ValueError("months must be 1 to 12")
    if covered_until is not None and covered_until >= paid_at:
        start = next_day_start(covered_until)
    else:
        start = timezone.localtime(paid_at).replace(microsecond=0)
    return start, coverage_end(start=start, months=months)


def plan_lock_end(*, locked_from: dt.datetime) -> dt.datetime:
    """The plan chosen at `locked_from` is locked for twelve months (the same rule as a 12-month period)."""
    return coverage_end(start=locked_from, months=12)
