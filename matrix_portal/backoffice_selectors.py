"""Reads for the back office: refunds, the audit trail and the operations dashboard."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from contributions.models import SectorRegistration
from matrix_portal.models import AuditEvent
from payments.models import Payment


def refund_list() -> QuerySet[Payment]:
    """Paid payments of rejected registrations, whose receipts have not been voided: money to give back."""
    return (
        Payment.objects.filter(
            status=Payment.Status.PAID,
            contribution__registration__status=SectorRegistration.Status.REJECTED,
        )
        .filter(Q(receipt__isnull=True) | Q(receipt__voided_at__isnull=True))
        .select_related(
            "contribution__person",
            "contribution__sector",
            "contribution__registration",
            "receipt",
        )
        .order_by("-contribution__registration__reviewed_at", "-paid_at", "-pk")
    )


def refund_total(refunds: QuerySet[Payment]) -> Decimal:
    return refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def audit_event_search(
    *,
    text: str = "",
    action: str = "",
    ip_address: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first, narrowed by who/what (text), action, address and local dates."""
    events = AuditEvent.objects.all()
    if text:
        events = events.filter(
            Q(actor_label__icontains=text)
            | Q(target_repr__icontains=text)
            | Q(target_type__icontains=text)
            | Q(target_id=text)
        )
    if action:
        events = events.filter(action=action)
    if ip_address:
        events = events.filter(ip_address=ip_address)
    tz = timezone.get_current_timezone()
    if date_from:
        events = events.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        events = events.filter(
            at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    return events.order_by("-at", "-id")


def _registration_counts(group_field: str) -> dict[int, dict]:
    statuses = SectorRegistration.Status
    rows = (
        SectorRegistration.objects.values(group_field)
        .annotate(
            total=Count("id"),
            submitted=Count("id", filter=Q(status=statuses.SUBMITTED)),
            approved=Count("id", filter=Q(status=statuses.APPROVED)),
            rejected=Count("id", filter=Q(status=statuses.REJECTED)),
        )
        .order_by()
    )
    return {row.pop(group_field): row for row in rows}


def registrations_per(model, group_field: str) -> list[dict]:
    """One row per reference record (sector or state) with its registration counts by status."""
    counts = _registration_counts(group_field)
    empty = {"total": 0, "submitted": 0, "approved": 0, "rejected": 0}
    rows = [
        {"label": str(getattr(item, "name", item)), **counts.get(item.pk, empty)}
        for item in model.objects.all()
    ]
    return sorted(rows, key=lambda row: (-row["total"], row["label"]))


def payments_per_day(*, days: int = 30, now: dt.datetime | None = None) -> list[dict]:
    """Paid payments per Malaysian day over the last `days` days: online and cash, count and amount."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    rows = (
        Payment.objects.filter(status=Payment.Status.PAID, paid_at__gte=start, paid_at__lte=now)
        .annotate(day=TruncDate("paid_at", tzinfo=tz))
        .values("day", "method")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    series = {
        first + dt.timedelta(days=n): {
            "online_count": 0,
            "online_amount": Decimal("0.00"),
            "cash_count": 0,
            "cash_amount": Decimal("0.00"),
        }
        for n in range(days)
    }
    for row in rows:
        day = row["day"]
        if isinstance(day, dt.datetime):
            day = day.date()
        if day not in series:
            continue
        prefix = "online" if row["method"] == Payment.Method.FPX else "cash"
        series[day][f"{prefix}_count"] += row["count"]
        series[day][f"{prefix}_amount"] += row["amount"] or Decimal("0.00")
    return [{"day": day, **values} for day, values in sorted(series.items())]


def review_queue_summary() -> dict:
    summary = SectorRegistration.objects.filter(status=SectorRegistration.Status.SUBMITTED).aggregate(
        size=Count("id"), oldest=Min("submitted_at")
    )
    return summary


def pending_fpx_summary() -> dict:
    return Payment.objects.filter(status=Payment.Status.PENDING, method=Payment.Method.FPX).aggregate(
        count=Count("id"), oldest=Min("created_at")
    )
