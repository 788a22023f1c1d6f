"""Reads for the counter desk: the person at the counter, what they may pay, and the day's reconciliation."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contributions.models import Contribution, SectorRegistration
from contributions.selectors import RenewalTerms, display_status, renewal_terms
from payments.models import Payment

ZERO = Decimal("0.00")


def person_find(*, ic_number: str):
    """The self-employed person with this (normalised) IC number, or None; staff accounts are left out."""
    return get_user_model().objects.filter(ic_number=ic_number, is_staff=False).first()


def staff_has_ic(*, ic_number: str) -> bool:
    return get_user_model().objects.filter(ic_number=ic_number, is_staff=True).exists()


def person_get(*, person_id: int):
    return get_object_or_404(get_user_model(), pk=person_id, is_staff=False)


@dataclass
class RegistrationAtCounter:
    registration: SectorRegistration
    contributions: list[Contribution]
    open_contribution: Contribution | None
    terms: RenewalTerms


def registrations_at_counter(*, person, now: dt.datetime | None = None) -> list[RegistrationAtCounter]:
    """Each registration of the person with its contributions (newest first), the one waiting for payment,
    and whether a new period may be paid now (the online renewal rules)."""
    now = now or timezone.now()
    payments = Prefetch(
        "payments",
        queryset=Payment.objects.select_related("receipt", "office", "cash_void").order_by(
            "-created_at", "-id"
        ),
        to_attr="attempts",
    )
    contributions = Prefetch(
        "contributions",
        queryset=Contribution.objects.select_related("plan")
        .prefetch_related(payments)
        .order_by("-created_at", "-id"),
        to_attr="all_contributions",
    )
    registrations = (
        SectorRegistration.objects.filter(person=person)
        .select_related("sector", "sector_class", "office")
        .prefetch_related(contributions)
        .order_by("sector__sort_order", "-submitted_at")
    )
    rows = []
    for registration in registrations:
        for contribution in registration.all_contributions:
            contribution.display_status = display_status(contribution, now=now)
            contribution.paid_payment = next(
                (p for p in contribution.attempts if p.status == Payment.Status.PAID), None
            )
            contribution.receipt = getattr(contribution.paid_payment, "receipt", None)
        open_contribution = next(
            (c for c in registration.all_contributions if c.status == Contribution.Status.SUBMITTED), None
        )
        rows.append(
            RegistrationAtCounter(
                registration=registration,
                contributions=registration.all_contributions,
                open_contribution=open_contribution,
                terms=renewal_terms(registration=registration, now=now),
            )
        )
    return rows


def contribution_for_cash(*, contribution_id: int) -> Contribution:
    return get_object_or_404(
        Contribution.objects.select_related("person", "sector", "plan", "registration"),
        pk=contribution_id,
        person__is_staff=False,
    )


def registration_for_cash(*, registration_id: int) -> SectorRegistration:
    return get_object_or_404(
        SectorRegistration.objects.select_related("person", "sector", "sector_class"),
        pk=registration_id,
        person__is_staff=False,
    )


def cash_payment_get(*, payment_id: int) -> Payment:
    """A cash entry with everything its page prints, or 404 (FPX payments are not counter business)."""
    return get_object_or_404(
        Payment.objects.select_related(
            "contribution__person",
            "contribution__sector",
            "contribution__plan",
            "office",
            "staff",
            "receipt",
            "cash_void__voided_by",
        ),
        pk=payment_id,
        method=Payment.Method.CASH,
    )


# --- Reconciliation ---------------------------------------------------------------------------------------


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight of a Malaysian calendar day, as aware datetimes."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def cash_entries_on(*, day: dt.date) -> QuerySet[Payment]:
    start, end = day_bounds(day)
    return Payment.objects.filter(
        method=Payment.Method.CASH, status=Payment.Status.PAID, paid_at__gte=start, paid_at__lt=end
    )


@dataclass
class Line:
    label: str
    count: int = 0
    total: Decimal = ZERO
    void_count: int = 0
    void_total: Decimal = ZERO
    office: str = ""

    @property
    def net(self) -> Decimal:
        return self.total - self.void_total


@dataclass
class Reconciliation:
    day: dt.date
    by_staff: list[Line] = field(default_factory=list)
    by_office: list[Line] = field(default_factory=list)
    total: Line = field(default_factory=lambda: Line(label=""))
    entries: list[Payment] = field(default_factory=list)


_VOIDED = Q(cash_void__isnull=False)


def _aggregate(queryset, *group_by: str) -> list[dict]:
    return list(
        queryset.values(*group_by)
        .annotate(
            count=Count("id"),
            total=Sum("amount"),
            void_count=Count("id", filter=_VOIDED),
            void_total=Sum("amount", filter=_VOIDED),
        )
        .order_by(*group_by)
    )


def _line(row: dict, label: str, office: str = "") -> Line:
    return Line(
        label=label,
        office=office,
        count=row["count"],
        total=row["total"] or ZERO,
        void_count=row["void_count"],
        void_total=row["void_total"] or ZERO,
    )


def reconciliation(*, day: dt.date, staff=None) -> Reconciliation:
    """Cash taken on `day` (Malaysian time) per member of staff (and office) and per office, with voids;
    only what `staff` took when given (counter staff see their own takings, supervisors everyone's)."""
    entries = cash_entries_on(day=day)
    if staff is not None:
        entries = entries.filter(staff=staff)
    result = Reconciliation(day=day)
    for row in _aggregate(entries, "staff__full_name", "staff_id", "office__name"):
        result.by_staff.append(_line(row, row["staff__full_name"] or "", row["office__name"] or ""))
    for row in _aggregate(entries, "office__name", "office_id"):
        result.by_office.append(_line(row, row["office__name"] or ""))
    totals = entries.aggregate(
        count=Count("id"),
        total=Sum("amount"),
        void_count=Count("id", filter=_VOIDED),
        void_total=Sum("amount", filter=_VOIDED),
    )
    result.total = _line(totals, "")
    result.entries = list(
        entries.select_related("contribution__person", "contribution__sector", "office", "staff", "receipt")
        .select_related("cash_void")
        .order_by("paid_at", "id")
    )
    return result
