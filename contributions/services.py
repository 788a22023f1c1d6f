"""Writes for contributions. Business rules live here; views only call these."""

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions import codes
from contributions.coverage import coverage_window, plan_lock_end
from contributions.documents import CheckedDocument
from contributions.models import (
    Contribution,
    ContributionStatusChange,
    Plan,
    RegistrationDocument,
    Sector,
    SectorClass,
    SectorRegistration,
)
from matrix_portal import sql
from matrix_portal.errors import ApplicationError
from matrix_portal.money import quantize
from matrix_portal.page_cache import person_pages_changed
from matrix_portal.validation import full_clean_fields

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
    change = ContributionStatusChange(
        contribution_id=contribution.pk,
        from_status=contribution.status,
        to_status=status,
        at=now or timezone.now(),
        by=by,
        reason=reason,
    )
    sql.insert(change)  # an append-only history row: nothing listens for its save
    contribution.status = status


PAID_STATUSES = (Contribution.Status.ACTIVE, Contribution.Status.RENEWED, Contribution.Status.EXPIRED)


@dataclass(frozen=True)
class CoverageAndPlanLock:
    """A registration's paid coverage and plan lock, from one read of its periods."""

    covered_until: dt.datetime | None  # the end of its latest paid, uncancelled coverage
    plan_id: int | None  # the plan of its latest lock year, and when that year started
    locked_from: dt.datetime | None

    def lock_at(self, at: dt.datetime):
        """(plan_id, locked_from) of the lock year in force at `at`, or None when any plan may be chosen."""
        if self.locked_from is not None and at <= plan_lock_end(locked_from=self.locked_from):
            return self.plan_id, self.locked_from
        return None


@functools.cache
def _periods_statement() -> tuple[str, tuple]:
    names = ("id", "status", "coverage_end", "coverage_cancelled_at", "plan", "plan_locked_from")
    fields = tuple(Contribution._meta.get_field(name) for name in names)
    columns = ", ".join(f'"{field.column}"' for field in fields)
    sql_text = (
        f'SELECT {columns} FROM "{Contribution._meta.db_table}" '  # noqa: S608 - model identifiers only
        'WHERE "registration_id" = %s AND "status" <> %s'
    )
    return sql_text, fields


def coverage_and_plan_lock(*, registration_id: int, exclude_id: int | None = None) -> CoverageAndPlanLock:
    """The registration's coverage (leaving out period `exclude_id`) and its latest plan lock, in one query.

    One row per period that was not rejected (a registration has a few a year); the confirmation reads this
    under its lock, the renewal page to show what comes next.
    """
    statement, fields = _periods_statement()
    with sql.cursor() as cursor:
        cursor.execute(statement, [registration_id, Contribution.Status.REJECTED])
        periods = [sql.convert(row, fields) for row in cursor.fetchall()]
    until = latest = None
    for pk, status, end, cancelled_at, plan_id, locked_from in periods:
        if status in PAID_STATUSES and end is not None and cancelled_at is None and pk != exclude_id:
            until = end if until is None else max(until, end)
        # periods of one lock year share its start and its plan, so the first of the latest will do
        if locked_from is not None and (latest is None or locked_from > latest[1]):
            latest = (plan_id, locked_from)
    plan_id, locked_from = latest or (None, None)
    return CoverageAndPlanLock(covered_until=until, plan_id=plan_id, locked_from=locked_from)


def covered_until(*, registration_id: int, exclude_id: int | None = None) -> dt.datetime | None:
    """The end of the registration's latest paid, uncancelled coverage."""
    return coverage_and_plan_lock(registration_id=registration_id, exclude_id=exclude_id).covered_until


def current_plan_lock(*, registration_id: int, at: dt.datetime):
    """(plan_id, locked_from) of the lock year in force at `at`, or None when the person may choose a plan."""
    return coverage_and_plan_lock(registration_id=registration_id).lock_at(at)


@transaction.atomic
def contribution_mark_paid(*, contribution: Contribution, paid_at: dt.datetime, by=None) -> Contribution:
    """Fix the coverage window at confirmation time and make the contribution Active (or Renewed).

    Call inside the transaction that confirms the payment; the contribution row is locked here.
    """
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    contribution = contribution_mark_paid_locked(contribution=contribution, paid_at=paid_at, by=by)
    person_pages_changed(person_id=contribution.person_id)
    return contribution


# What marking a contribution paid writes to its row.
PAID_FIELDS = ("status", "coverage_start", "coverage_end", "plan_locked_from", "paid_at")


def contribution_mark_paid_locked(
    *, contribution: Contribution, paid_at: dt.datetime, by=None
) -> Contribution:
    """contribution_mark_paid for a row the caller has already read under SELECT ... FOR UPDATE.

    For the payment confirmation, which locks the contribution first: no second read, no savepoint. Must run
    inside that transaction (a failure here rolls the whole confirmation back). The row is written without
    model signals: the caller drops the person's kept pages (once for everything it writes).
    """
    if contribution.status != Contribution.Status.SUBMITTED:
        raise ApplicationError(MESSAGE_NOT_PAYABLE, code="not_payable")
    before = coverage_and_plan_lock(registration_id=contribution.registration_id, exclude_id=contribution.pk)
    start, end = coverage_window(
        paid_at=paid_at, months=contribution.months, covered_until=before.covered_until
    )
    lock = before.lock_at(start)
    contribution.plan_locked_from = lock[1] if lock and lock[0] == contribution.plan_id else start
    contribution.coverage_start = start
    contribution.coverage_end = end
    contribution.paid_at = paid_at
    new_status = Contribution.Status.RENEWED if contribution.is_renewal else Contribution.Status.ACTIVE
    contribution_set_status(contribution=contribution, status=new_status, by=by, now=paid_at)
    full_clean_fields(contribution, only=PAID_FIELDS)
    sql.update(contribution, PAID_FIELDS)
    return contribution


# --- Registration and renewal ------------------------------------------------------------------------------

MESSAGE_SECTOR_ALREADY_REGISTERED = _(
    "You have already registered this sector. The same sector cannot be registered again."
)
MESSAGE_OPEN_CONTRIBUTION = _(
    "This sector already has a contribution waiting for payment. Pay it first; only one contribution per "
    "sector can be open at a time."
)
MESSAGE_REGISTRATION_REJECTED = _(
    "This sector registration was rejected, so it cannot be renewed. You may register the sector again."
)
MESSAGE_PLAN_LOCKED = _("Your contribution plan is locked for one year; this renewal must use the same plan.")
MESSAGE_MONTHS = _("Choose from 1 to 12 contribution months.")
MESSAGE_CLASS_OF_OTHER_SECTOR = _("Choose one of the classes of this sector.")
MESSAGE_UNAVAILABLE = _("This sector or plan is no longer offered. Please choose another one.")
MESSAGE_CODE_EXHAUSTED = _("A self-employed code could not be issued just now. Please try again.")


def contribution_amount(*, plan: Plan, months: int) -> Decimal:
    """The plan's monthly contribution times the months (1 to 12), in Decimal: 13.10 x 5 = 65.50."""
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 12:
        raise ApplicationError(MESSAGE_MONTHS, code="months")
    return quantize(plan.monthly_amount * months)


def _person_code_assign(*, person) -> None:
    """Give the person a self-employed code once; it never changes afterwards. The person row is locked."""
    if person.self_employed_code:
        return
    for _attempt in range(20):
        code = codes.random_code()
        if not get_user_model().objects.filter(self_employed_code=code).exists():
            person.self_employed_code = code
            person.save(update_fields=["self_employed_code"])
            return
    raise ApplicationError(MESSAGE_CODE_EXHAUSTED, code="code_exhausted")


def _contribution_open(*, registration: SectorRegistration, plan: Plan, months: int, is_renewal: bool, now):
    contribution = Contribution(
        registration=registration,
        person=registration.person,
        sector=registration.sector,
        plan=plan,
        months=months,
        amount=contribution_amount(plan=plan, months=months),
        is_renewal=is_renewal,
        created_at=now,
    )
    contribution.full_clean(validate_constraints=False)
    contribution.save()
    ContributionStatusChange.objects.create(
        contribution=contribution, from_status="", to_status=Contribution.Status.SUBMITTED, at=now
    )
    return contribution


def _check_offered(*, sector: Sector, sector_class: SectorClass, plan: Plan) -> None:
    if sector_class.sector_id != sector.pk:
        raise ApplicationError(MESSAGE_CLASS_OF_OTHER_SECTOR, code="class")
    if not (sector.is_active and sector_class.is_active and plan.is_active):
        raise ApplicationError(MESSAGE_UNAVAILABLE, code="unavailable")


def registration_submit(
    *,
    person,
    sector: Sector,
    sector_class: SectorClass,
    particulars: dict,
    documents: dict[str, CheckedDocument],
    plan: Plan,
    months: int,
    now: dt.datetime | None = None,
) -> Contribution:
    """Register a sector with its documents and open its first contribution (Submitted, waiting for payment).

    Files are written only after every check passed, inside the transaction; if anything fails they are
    deleted again, so no orphaned files or half-saved rows are left behind.
    """
    now = now or timezone.now()
    _check_offered(sector=sector, sector_class=sector_class, plan=plan)
    written: list[str] = []
    try:
        with transaction.atomic():
            person = get_user_model().objects.select_for_update().get(pk=person.pk)
            if (
                SectorRegistration.objects.filter(person=person, sector=sector)
                .exclude(status=SectorRegistration.Status.REJECTED)
                .exists()
            ):
                raise ApplicationError(MESSAGE_SECTOR_ALREADY_REGISTERED, code="already_registered")
            _person_code_assign(person=person)
            registration = SectorRegistration(
                person=person, sector=sector, sector_class=sector_class, submitted_at=now, **particulars
            )
            registration.full_clean(validate_constraints=False)
            registration.save()
            for kind, document in documents.items():
                row = RegistrationDocument(
                    registration=registration,
                    kind=kind,
                    original_name=document.original_name,
                    content_type=document.content_type,
                    size=document.size,
                    sha256=document.sha256,
                    uploaded_at=now,
                )
                row.file.save(
                    f"{uuid.uuid4().hex}.{document.extension}", ContentFile(document.content), save=False
                )
                written.append(row.file.name)
                row.full_clean(validate_constraints=False)
                row.save()
            return _contribution_open(
                registration=registration, plan=plan, months=months, is_renewal=False, now=now
            )
    except IntegrityError as exc:
        _delete_files(written)
        raise ApplicationError(MESSAGE_SECTOR_ALREADY_REGISTERED, code="already_registered") from exc
    except BaseException:
        _delete_files(written)
        raise


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def contribution_renew(
    *, person, registration_id: int, plan: Plan, months: int, now: dt.datetime | None = None
) -> Contribution:
    """Open a renewal for a registered sector. Inside the plan's lock year only the locked plan is allowed."""
    from contributions.selectors import renewal_terms

    now = now or timezone.now()
    try:
        with transaction.atomic():
            registration = (
                SectorRegistration.objects.select_for_update()
                .select_related("sector", "sector_class", "person")
                .get(pk=registration_id, person=person)
            )
            terms = renewal_terms(registration=registration, now=now)
            if not terms.renewable:
                raise ApplicationError(terms.reason, code="not_renewable")
            if terms.locked_plan is not None and plan.pk != terms.locked_plan.pk:
                raise ApplicationError(MESSAGE_PLAN_LOCKED, code="plan_locked")
            _check_offered(sector=registration.sector, sector_class=registration.sector_class, plan=plan)
            return _contribution_open(
                registration=registration, plan=plan, months=months, is_renewal=terms.is_renewal, now=now
            )
    except IntegrityError as exc:
        raise ApplicationError(MESSAGE_OPEN_CONTRIBUTION, code="open_contribution") from exc


def contributions_expire_ended(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Active and Renewed contributions whose coverage has ended become Expired. Idempotent."""
    now = now or timezone.now()
    from contributions.selectors import ended_contribution_ids  # the selectors import this module

    live = [Contribution.Status.ACTIVE, Contribution.Status.RENEWED]
    ids = ended_contribution_ids(now=now, limit=batch)
    expired = 0
    for pk in ids:
        with transaction.atomic():
            contribution = Contribution.objects.select_for_update().get(pk=pk)
            if contribution.status in live and contribution.coverage_end < now:
                contribution_set_status(
                    contribution=contribution,
                    status=Contribution.Status.EXPIRED,
                    now=now,
                    reason="coverage period ended",
                )
                contribution.save(update_fields=["status"])
                expired += 1
    return expired
