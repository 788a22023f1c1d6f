"""Reads for receipts and reminders."""

import datetime as dt
import functools
import secrets

from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, has_any_role
from contributions.models import Contribution
from matrix_portal.page_cache import kept_for_person
from receipts.models import Receipt, ReminderLog

PAID = [Contribution.Status.ACTIVE, Contribution.Status.RENEWED]
# How far back the "coverage has ended" notice still goes out when a daily run was missed.
ENDED_NOTICE_CATCH_UP_DAYS = 3


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _later_contribution():
    """A contribution of the same registration awaiting payment, or paid and covering beyond this one.

    Two EXISTS so each has an index: the partial unique index on submitted contributions, and the partial
    (registration_id, coverage_end) index that receipts/migrations/0003 adds for exactly this predicate.
    """
    awaiting_payment = Exists(
        Contribution.objects.filter(
            registration_id=OuterRef("registration_id"), status=Contribution.Status.SUBMITTED
        )
    )
    covers_beyond = Exists(
        Contribution.objects.filter(
            registration_id=OuterRef("registration_id"),
            coverage_end__gt=OuterRef("coverage_end"),
            coverage_cancelled_at__isnull=True,
            status__in=[*PAID, Contribution.Status.EXPIRED],
        )
    )
    return awaiting_payment | covers_beyond


def reminder_windows(*, now: dt.datetime) -> dict[str, tuple[dt.datetime, dt.datetime, list[str]]]:
    """notice -> (coverage_end from, coverage_end before, statuses), in Malaysian calendar days.

    Run at 08:00 on day D: the 7-day notice covers coverage ending on D+2 .. D+7 (normally D+7; earlier
    days only when a run was missed), the 1-day notice coverage ending on D .. D+1, and the ended notice
    coverage that ended on D-3 .. D-1 (normally yesterday).
    """
    today = timezone.localdate(now)
    day = dt.timedelta(days=1)
    return {
        ReminderLog.Notice.DAYS_7: (_local_midnight(today + 2 * day), _local_midnight(today + 8 * day), PAID),
        ReminderLog.Notice.DAYS_1: (_local_midnight(today), _local_midnight(today + 2 * day), PAID),
        ReminderLog.Notice.EXPIRED: (
            _local_midnight(today - ENDED_NOTICE_CATCH_UP_DAYS * day),
            _local_midnight(today),
            [*PAID, Contribution.Status.EXPIRED],
        ),
    }


def reminders_due_for(*, notice: str, now: dt.datetime) -> QuerySet[Contribution]:
    """Contributions owed `notice` at `now` and not yet claimed for it.

    Selected through the (status, coverage_end) index: a range on coverage_end within a few statuses.
    """
    start, end, statuses = reminder_windows(now=now)[notice]
    already = ReminderLog.objects.filter(contribution_id=OuterRef("pk"), notice=notice)
    return (
        Contribution.objects.filter(
            status__in=statuses,
            coverage_end__gte=start,
            coverage_end__lt=end,
            coverage_cancelled_at__isnull=True,
        )
        .filter(~Exists(already), ~_later_contribution())
        .only("pk", "coverage_end")
        .order_by("coverage_end", "pk")
    )


def reminders_due(*, now: dt.datetime) -> dict[str, QuerySet[Contribution]]:
    return {notice: reminders_due_for(notice=notice, now=now) for notice in ReminderLog.Notice.values}


def contributions_ended(*, now: dt.datetime) -> QuerySet[Contribution]:
    """Active or Renewed contributions whose coverage is over (they become Expired)."""
    return Contribution.objects.filter(status__in=PAID, coverage_end__lt=now).order_by("coverage_end")


def receipt_may_download(*, user, receipt: Receipt) -> bool:
    owner_id = getattr(receipt, "owner_id", None)
    if owner_id is None:
        owner_id = receipt.payment.contribution.person_id
    if not (user.is_authenticated and user.is_active):
        return False
    if owner_id == user.pk:
        return True
    return has_any_role(user, COUNTER_STAFF, DOCUMENT_REVIEWER)


@functools.cache
def _download_sql() -> str:
    """The download's one query, compiled by the ORM once per process (compiling costs more than running)."""
    queryset = (
        Receipt.objects.filter(pk=0)
        .annotate(owner_id=F("payment__contribution__person_id"))
        .values_list("id", "number", "pdf", "pdf_sha256", "owner_id")
    )
    sql, params = queryset.query.sql_with_params()
    if params != (0,):  # the receipt's id must be the statement's only parameter
        raise RuntimeError(f"unexpected parameters in the download query: {params!r}")
    return sql


def _download_row(pk: int) -> tuple | None:
    """(id, number, pdf name, pdf SHA-256, owner's id) of the receipt, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_download_sql(), [pk])
        return cursor.fetchone()


def receipt_for_download(*, user, pk: int, kept_as: str = "", prefetched=None) -> Receipt:
    """The receipt when `user` may download it; 404 otherwise, so others cannot tell it exists.

    One narrow query: the columns the download needs and the owner's id (no payment or contribution rows).
    A person's own receipt row is kept with their pages (matrix_portal.page_cache), so asking again for the
    same receipt reads nothing from the database until their data changes (storing the PDF saves the
    receipt, which is such a change). Staff rows are always read from the database. `kept_as`: the name it
    is kept under (the view passes the request's page suffix, so the row comes with the session in the same
    round trip: `prefetched`, see matrix_portal.sessions).
    """
    if not 0 < pk < 2**63:  # beyond a bigint the database would refuse the statement
        raise Http404
    if user.is_authenticated and user.is_active and not user.is_staff:
        row = kept_for_person(
            person_id=user.pk,
            name=kept_as or f"receipt:{pk}",
            make=lambda: _download_row(pk),
            prefetched=prefetched,
            keep_if=lambda row: row[4] == user.pk,
            path="receipt download",
        )
    else:
        row = _download_row(pk)
    if row is None:
        raise Http404
    receipt = Receipt(id=row[0], number=row[1], pdf=row[2], pdf_sha256=row[3])
    receipt._state.adding = False
    receipt.owner_id = row[4]
    if not receipt_may_download(user=user, receipt=receipt):
        raise Http404
    return receipt


def receipt_for_verification(*, number: str, token: str) -> Receipt:
    """The receipt for this number and token; the same 404 for a wrong number or a wrong token."""
    receipt = (
        Receipt.objects.select_related("payment__contribution").filter(number=number).first()
        if len(number) == 14 and number.isascii() and number.isdigit()
        else None
    )
    expected = receipt.verification_token if receipt else secrets.token_urlsafe(32)
    if not secrets.compare_digest(expected.encode(), token.encode()) or receipt is None:
        raise Http404
    return receipt
