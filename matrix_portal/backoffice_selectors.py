"""Reads for the back office: refunds, the audit trail and the operations dashboard."""

import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from contributions.models import SectorRegistration
from matrix_portal.models import AuditEvent
from payments import codes as payment_codes
from payments.models import Payment


def refund_list() -> QuerySet[Payment]:
    """Money to give back, newest first.

    Paid payments of rejected registrations (unless their receipt was voided), and attempts the bank
    approved after their contribution could no longer be paid (for instance because its registration had
    just been rejected): payments fails those, keeping the bank's approval code.
    """
    paid_for_rejected = Q(
        status=Payment.Status.PAID, contribution__registration__status=SectorRegistration.Status.REJECTED
    ) & (Q(receipt__isnull=True) | Q(receipt__voided_at__isnull=True))
    approved_too_late = Q(status=Payment.Status.FAILED, debit_auth_code=payment_codes.APPROVED)
    return (
        Payment.objects.filter(paid_for_rejected | approved_too_late)
        .select_related(
            "contribution__person",
            "contribution__sector",
            "contribution__registration",
            "receipt",
        )
        .order_by("-updated_at", "-pk")
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
    """Paid payments per Malaysian day over the last `days` days: online and cash, count and amount.

    A voided cash entry stays PAID (the void is a CashVoid row of its own), so it is left out of the cash
    figures and counted apart, as `voided_count` and `voided_amount`, on the day it was taken.
    """
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    kept, voided = Q(cash_void__isnull=True), Q(cash_void__isnull=False)
    rows = (
        Payment.objects.filter(status=Payment.Status.PAID, paid_at__gte=start, paid_at__lte=now)
        .annotate(day=TruncDate("paid_at", tzinfo=tz))
        .values("day", "method")
        .annotate(
            paid_count=Count("id", filter=kept),
            paid_amount=Sum("amount", filter=kept),
            voided_count=Count("id", filter=voided),
            voided_amount=Sum("amount", filter=voided),
        )
        .order_by()
    )
    series = {
        first + dt.timedelta(days=n): {
            "online_count": 0,
            "online_amount": Decimal("0.00"),
            "cash_count": 0,
            "cash_amount": Decimal("0.00"),
            "voided_count": 0,
            "voided_amount": Decimal("0.00"),
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
        series[day][f"{prefix}_count"] += row["paid_count"]
        series[day][f"{prefix}_amount"] += row["paid_amount"] or Decimal("0.00")
        series[day]["voided_count"] += row["voided_count"]
        series[day]["voided_amount"] += row["voided_amount"] or Decimal("0.00")
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


def _reminder_log_model():
    """receipts.ReminderLog (renewal reminders) when that app provides it with a `sent_at` column."""
    try:
        model = apps.get_model("receipts", "ReminderLog")
    except LookupError:
        return None
    names = {field.name for field in model._meta.get_fields()}
    return model if {"sent_at", "notice"} <= names else None


def reminders_sent(*, days: int = 30, now: dt.datetime | None = None) -> dict | None:
    """Renewal reminders completed in the last `days` days, in total and per notice; None if not recorded."""
    model = _reminder_log_model()
    if model is None:
        return None
    now = now or timezone.now()
    sent = model.objects.filter(sent_at__gt=now - dt.timedelta(days=days), sent_at__lte=now)
    labels = dict(model._meta.get_field("notice").choices or [])
    per_notice = sent.values("notice").annotate(count=Count("pk")).order_by("notice")
    return {
        "total": sum(row["count"] for row in per_notice),
        "per_notice": [
            {"label": str(labels.get(row["notice"], row["notice"])), "count": row["count"]}
            for row in per_notice
        ],
    }
