"""Reads for the self-employed area: history, one contribution, renewal terms, coverage per sector."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.roles import DOCUMENT_REVIEWER, has_role
from contributions.coverage import next_day_start, plan_lock_end
from contributions.models import Contribution, Plan, RegistrationDocument, Sector, SectorRegistration
from contributions.services import (
    MESSAGE_OPEN_CONTRIBUTION,
    MESSAGE_REGISTRATION_REJECTED,
    covered_until,
    current_plan_lock,
)
from payments.models import Payment

PAID_STATUSES = (Contribution.Status.ACTIVE, Contribution.Status.RENEWED, Contribution.Status.EXPIRED)
ONE_SECOND = dt.timedelta(seconds=1)


def display_status(contribution: Contribution, *, now: dt.datetime) -> str:
    """Active and Renewed read as Expired once their coverage has ended, whether or not a job flipped them."""
    if (
        contribution.status in (Contribution.Status.ACTIVE, Contribution.Status.RENEWED)
        and contribution.coverage_end is not None
        and contribution.coverage_end < now
    ):
        return Contribution.Status.EXPIRED
    return contribution.status


def _payments_prefetch() -> Prefetch:
    return Prefetch(
        "payments",
        queryset=Payment.objects.select_related("bank", "receipt").order_by("-created_at", "-id"),
        to_attr="attempts",
    )


def _history_payments_prefetch() -> Prefetch:
    """The attempts as the history table needs them: status and order, and the receipt's id for its link.

    Narrower than _payments_prefetch (no bank, no receipt columns): half the history page's time went into
    building those rows. The history tests check the page makes as many queries at 50 rows as at 1, which
    would catch a template reading a column left out here.
    """
    return Prefetch(
        "payments",
        queryset=Payment.objects.select_related("receipt")
        .only("id", "contribution_id", "status", "created_at", "receipt__id", "receipt__payment_id")
        .order_by("-created_at", "-id"),
        to_attr="attempts",
    )


def _decorate(contribution: Contribution, *, now: dt.datetime) -> Contribution:
    """Attach what the pages print: display status, payment status, the paid attempt and its receipt."""
    attempts = contribution.attempts
    paid = next((p for p in attempts if p.status == Payment.Status.PAID), None)
    contribution.display_status = display_status(contribution, now=now)
    contribution.paid_payment = paid
    contribution.receipt = getattr(paid, "receipt", None) if paid else None
    if contribution.paid_at or paid:
        contribution.payment_status = Payment.Status.PAID
    elif attempts:
        contribution.payment_status = attempts[0].status
    else:
        contribution.payment_status = ""
    return contribution


# What the history table prints and links to, and what display_status and _decorate read. A column left
# out would be loaded by one query per row, which the equal-queries-at-1-and-50-rows tests catch.
HISTORY_COLUMNS = (
    "id",
    "registration_id",
    "status",
    "amount",
    "months",
    "paid_at",
    "coverage_start",
    "coverage_end",
    "sector__id",
    "sector__name_en",
    "sector__name_ms",
    "sector__name_zh",
    "plan__id",
    "plan__yearly_amount",
)


def contribution_history(*, person, sector_id: int | None = None) -> QuerySet[Contribution]:
    """The person's contributions, newest first, with everything the history table prints."""
    queryset = (
        Contribution.objects.filter(person=person)
        .select_related("sector", "plan")
        .only(*HISTORY_COLUMNS)
        .prefetch_related(_history_payments_prefetch())
        .order_by("-created_at", "-id")
    )
    if sector_id:
        queryset = queryset.filter(sector_id=sector_id)
    return queryset


def contribution_rows(contributions, *, person, now: dt.datetime | None = None) -> list[Contribution]:
    """Decorate one page of history rows and mark the ones that get "Renew Now"."""
    now = now or timezone.now()
    renew_now = renew_now_contribution_ids(person=person)
    rows = []
    for contribution in contributions:
        _decorate(contribution, now=now)
        contribution.renew_now = contribution.pk in renew_now
        rows.append(contribution)
    return rows


def _renewable_registrations(*, person) -> QuerySet[SectorRegistration]:
    open_contribution = Contribution.objects.filter(
        registration=OuterRef("pk"), status=Contribution.Status.SUBMITTED
    )
    latest_paid = (
        Contribution.objects.filter(registration=OuterRef("pk"), status__in=PAID_STATUSES)
        .order_by("-coverage_start", "-id")
        .values("pk")[:1]
    )
    return (
        SectorRegistration.objects.filter(person=person)
        .exclude(status=SectorRegistration.Status.REJECTED)
        .annotate(has_open=Exists(open_contribution), latest_paid_id=Subquery(latest_paid))
        .filter(has_open=False)
    )


def renew_now_contribution_ids(*, person) -> set[int]:
    """The latest paid contribution of each sector that may be renewed now (no later one open)."""
    return {
        pk
        for pk in _renewable_registrations(person=person).values_list("latest_paid_id", flat=True)
        if pk is not None
    }


def renewable_registrations(*, person) -> list[SectorRegistration]:
    """Sectors the RENEWAL panel offers: not rejected, nothing waiting for payment, paid before."""
    return list(
        _renewable_registrations(person=person)
        .filter(latest_paid_id__isnull=False)
        .select_related("sector", "sector_class")
        .order_by("sector__sort_order")
    )


def registration_get_for_person(*, person, registration_id: int) -> SectorRegistration:
    return get_object_or_404(
        SectorRegistration.objects.select_related("sector", "sector_class"), pk=registration_id, person=person
    )


def contribution_get_for_person(*, person, contribution_id: int) -> Contribution:
    """One of the person's contributions with its registration, documents and payment attempts, or 404."""
    contribution = get_object_or_404(
        Contribution.objects.select_related(
            "sector",
            "plan",
            "person",
            "registration__sector_class",
            "registration__state",
            "registration__town",
            "registration__office",
        ).prefetch_related(_payments_prefetch(), "registration__documents"),
        pk=contribution_id,
        person=person,
    )
    return _decorate(contribution, now=timezone.now())


def document_get_for_viewer(*, user, document_id: int) -> RegistrationDocument:
    """A document for its owner or for document reviewers; anyone else (other staff too) gets 404."""
    queryset = RegistrationDocument.objects.select_related("registration")
    if not has_role(user, DOCUMENT_REVIEWER):
        queryset = queryset.filter(registration__person=user)
    return get_object_or_404(queryset, pk=document_id)


def registered_sector_ids(*, person) -> set[int]:
    """Sectors the person holds a live (not rejected) registration in."""
    return set(
        SectorRegistration.objects.filter(person=person)
        .exclude(status=SectorRegistration.Status.REJECTED)
        .values_list("sector_id", flat=True)
    )


@dataclass
class RenewalTerms:
    registration: SectorRegistration
    renewable: bool
    reason: str = ""
    open_contribution: Contribution | None = None
    is_renewal: bool = False
    covered_until: dt.datetime | None = None
    still_covered: bool = False
    expected_start: dt.datetime | None = None
    locked_plan: Plan | None = None
    lock_ends: dt.datetime | None = None


def renewal_terms(*, registration: SectorRegistration, now: dt.datetime | None = None) -> RenewalTerms:
    """Whether the sector may be renewed now, and with which plan.

    The renewal's coverage will start the day after the current expiry when still covered, else on payment;
    if that start falls inside the plan's lock year the locked plan is used, otherwise any plan may be chosen.
    """
    now = now or timezone.now()
    if registration.status == SectorRegistration.Status.REJECTED:
        return RenewalTerms(registration=registration, renewable=False, reason=MESSAGE_REGISTRATION_REJECTED)
    open_contribution = registration.contributions.filter(status=Contribution.Status.SUBMITTED).first()
    if open_contribution is not None:
        return RenewalTerms(
            registration=registration,
            renewable=False,
            reason=MESSAGE_OPEN_CONTRIBUTION,
            open_contribution=open_contribution,
        )
    until = covered_until(registration_id=registration.pk)
    still_covered = until is not None and until >= now
    expected_start = next_day_start(until) if still_covered else now
    lock = current_plan_lock(registration_id=registration.pk, at=expected_start)
    locked_plan = Plan.objects.get(pk=lock[0]) if lock else None
    return RenewalTerms(
        registration=registration,
        renewable=True,
        is_renewal=until is not None,
        covered_until=until,
        still_covered=still_covered,
        expected_start=expected_start,
        locked_plan=locked_plan,
        lock_ends=plan_lock_end(locked_from=lock[1]) if lock else None,
    )


# --- Coverage per sector (dashboard) ------------------------------------------------------------------------


@dataclass
class Period:
    start: dt.datetime
    end: dt.datetime
    contribution_id: int
    is_gap: bool = False
    until_now: bool = False
    x: float = 0.0
    width: float = 0.0

    @property
    def days(self) -> int:
        return max(1, round((self.end - self.start + ONE_SECOND).total_seconds() / 86400))


@dataclass
class SectorCoverage:
    registration: SectorRegistration
    sector: Sector
    covered_now: bool
    covered_until: dt.datetime | None
    periods: list[Period] = field(default_factory=list)
    gaps: list[Period] = field(default_factory=list)
    open_contribution: Contribution | None = None
    mandatory_uncovered: bool = False
    now_x: float = 0.0

    @property
    def segments(self) -> list[Period]:
        return sorted(self.periods + self.gaps, key=lambda p: p.start)


TIMELINE_WIDTH = 1000.0


def coverage_by_sector(*, person, now: dt.datetime | None = None) -> list[SectorCoverage]:
    """For each registered sector: covered now and until when, the paid periods and the gaps between them."""
    now = now or timezone.now()
    contributions = Prefetch(
        "contributions",
        queryset=Contribution.objects.filter(coverage_cancelled_at__isnull=True).order_by(
            "coverage_start", "id"
        ),
        to_attr="all_contributions",
    )
    registrations = (
        SectorRegistration.objects.filter(person=person)
        .select_related("sector", "sector_class")
        .prefetch_related(contributions)
        .order_by("sector__sort_order", "-submitted_at")
    )
    summaries = []
    for registration in registrations:
        paid = [c for c in registration.all_contributions if c.status in PAID_STATUSES and c.coverage_start]
        periods = [Period(start=c.coverage_start, end=c.coverage_end, contribution_id=c.pk) for c in paid]
        open_contribution = next(
            (c for c in registration.all_contributions if c.status == Contribution.Status.SUBMITTED), None
        )
        covered_now, until = _covered_at(periods, now)
        gaps = _gaps(periods, now)
        summary = SectorCoverage(
            registration=registration,
            sector=registration.sector,
            covered_now=covered_now,
            covered_until=until,
            periods=periods,
            gaps=gaps,
            open_contribution=open_contribution,
            mandatory_uncovered=(
                registration.status != SectorRegistration.Status.REJECTED
                and registration.sector.is_mandatory
                and (registration.sector.mandatory_from or now.date()) <= timezone.localdate(now)
                and not covered_now
            ),
        )
        _lay_out(summary, now)
        summaries.append(summary)
    return summaries


def _covered_at(periods: list[Period], now: dt.datetime) -> tuple[bool, dt.datetime | None]:
    """Covered at `now`, and until when without a break (renewals paid in time continue the cover)."""
    current = next((p for p in periods if p.start <= now <= p.end), None)
    if current is None:
        return False, None
    until = current.end
    for period in sorted(periods, key=lambda p: p.start):
        if period.start <= until + ONE_SECOND and period.end > until:
            until = period.end
    return True, until


def _gap(start: dt.datetime, end: dt.datetime) -> Period:
    return Period(start=start, end=end, contribution_id=0, is_gap=True)


def _gaps(periods: list[Period], now: dt.datetime) -> list[Period]:
    """Uncovered stretches between paid periods, and from the last expiry until now."""
    gaps = []
    reach = None
    for period in sorted(periods, key=lambda p: p.start):
        if reach is not None and period.start > reach + ONE_SECOND:
            gaps.append(_gap(reach + ONE_SECOND, period.start - ONE_SECOND))
        reach = period.end if reach is None else max(reach, period.end)
    if reach is not None and reach < now:
        gaps.append(Period(start=reach + ONE_SECOND, end=now, contribution_id=0, is_gap=True, until_now=True))
    return gaps


def _lay_out(summary: SectorCoverage, now: dt.datetime) -> None:
    """x and width (0 to 1000) of each segment, from the first start to now or the last end."""
    segments = summary.segments
    if not segments:
        return
    first = segments[0].start
    last = max(max(s.end for s in segments), now)
    span = max((last - first).total_seconds(), 1.0)
    for segment in segments:
        segment.x = round((segment.start - first).total_seconds() / span * TIMELINE_WIDTH, 1)
        segment.width = max(
            round((segment.end - segment.start).total_seconds() / span * TIMELINE_WIDTH, 1), 2.0
        )
    summary.now_x = round(min((now - first).total_seconds() / span * TIMELINE_WIDTH, TIMELINE_WIDTH - 3), 1)


def ended_contribution_ids(*, now: dt.datetime, limit: int = 1000) -> list[int]:
    """Ids of Active and Renewed contributions whose coverage ended before `now`, earliest end first.

    One query per status, each an ordered range scan of the (status, coverage_end) index that stops
    after `limit` rows. A single `status IN (...)` query cannot read that index in coverage_end order, and
    on PostgreSQL the planner, expecting many matches, then reads and sorts every candidate row.
    """
    rows = []
    for status in (Contribution.Status.ACTIVE, Contribution.Status.RENEWED):
        rows += (
            Contribution.objects.filter(status=status, coverage_end__lt=now)
            .order_by("coverage_end", "pk")
            .values_list("coverage_end", "pk")[:limit]
        )
    return [pk for _end, pk in sorted(rows)[:limit]]
