"""Writes for contributions. Business rules live here; views only call these."""

import datetime as dt

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions.coverage import coverage_window, plan_lock_end
from contributions.models import Contribution, ContributionStatusChange
from matrix_portal.errors import ApplicationError

MESSAGE_NOT_PAYABLE = _("This contribution cannot be paid: it is not waiting for payment.")

# status -> statuses it may move to
TRANSITIONS = {
    Contribution.Status.SUBMITTED: {
        Contribution.Status.ACTIVE,
        Contribution.Status.RENEWED,
        Contribution.Status.REJECTED,
    },
    Contribution.Status.ACTIVE: {Contribution.Status.EXPIRED, Contribution.Status.REJECTED},
    Contribution.Status.RENEWED: {Contribution.Status.EXPIRED, Contribution.Status.REJECTED},
    Contribution.Status.EXPIRED: set(),
    Contribution.Status.REJECTED: set(),
}


def contribution_set_status(*, contribution: Contribution, status: str, by=None, reason: str = "", now=None):
    """The one way a contribution's status changes: refuses illegal moves and records the change."""
    if status not in TRANSITIONS[contribution.status]:
        raise ApplicationError(f"Illegal contribution status change {contribution.status} -> {status}")
    ContributionStatusChange.objects.create(
        contribution=contribution,
        from_status=contribution.status,
        to_status=status,
        at=now or timezone.now(),
        by=by,
        reason=reason,
    )
    contribution.status = status


def covered_until(*, registration_id: int, exclude_id: int | None = None) -> dt.datetime | None:
    """The end of the registration's latest paid, uncancelled coverage."""
    paid = Contribution.objects.filter(
        registration_id=registration_id,
        coverage_end__isnull=False,
        coverage_cancelled_at__isnull=True,
        status__in=[Contribution.Status.ACTIVE, Contribution.Status.RENEWED, Contribution.Status.EXPIRED],
    )
    if exclude_id:
        paid = paid.exclude(pk=exclude_id)
    return paid.aggregate(end=Max("coverage_end"))["end"]


def current_plan_lock(*, registration_id: int, at: dt.datetime):
    """(plan_id, locked_from) of the lock year in force at `at`, or None when the person may choose a plan."""
    latest = (
        Contribution.objects.filter(registration_id=registration_id, plan_locked_from__isnull=False)
        .filter(~Q(status=Contribution.Status.REJECTED))
        .order_by("-plan_locked_from", "-coverage_start")
        .values("plan_id", "plan_locked_from")
        .first()
    )
    if latest and at <= plan_lock_end(locked_from=latest["plan_locked_from"]):
        return latest["plan_id"], latest["plan_locked_from"]
    return None


@transaction.atomic
def contribution_mark_paid(*, contribution: Contribution, paid_at: dt.datetime, by=None) -> Contribution:
    """Fix the coverage window at confirmation time and make the contribution Active (or Renewed).

    Call inside the transaction that confirms the payment; the contribution row is locked here.
    """
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.status != Contribution.Status.SUBMITTED:
        raise ApplicationError(MESSAGE_NOT_PAYABLE, code="not_payable")
    until = covered_until(registration_id=contribution.registration_id, exclude_id=contribution.pk)
    start, end = coverage_window(paid_at=paid_at, months=contribution.months, covered_until=until)
    lock = current_plan_lock(registration_id=contribution.registration_id, at=start)
    contribution.plan_locked_from = lock[1] if lock and lock[0] == contribution.plan_id else start
    contribution.coverage_start = start
    contribution.coverage_end = end
    contribution.paid_at = paid_at
    new_status = Contribution.Status.RENEWED if contribution.is_renewal else Contribution.Status.ACTIVE
    contribution_set_status(contribution=contribution, status=new_status, by=by, now=paid_at)
    contribution.full_clean()
    contribution.save()
    return contribution
