"""Receipts and renewal reminders.

A receipt is numbered in the transaction that confirms its payment; its PDF is rendered once, after that
transaction commits, by a Celery task, and stored with its SHA-256.

Reminders are delivered exactly once per (contribution, notice) in every case we can control:
- the daily scan claims a ReminderLog row (unique per contribution and notice) before anything is sent, so a
  second or concurrent scan finds the claim and sends nothing;
- delivery locks the claimed row (skipping it when another worker holds it), sends, and sets `sent_at` in
  the same transaction, so duplicate or redelivered tasks see `sent_at` and stop;
- e-mail and SMS are marked separately: when one channel fails, the other is not repeated on retry.
The one window left is a worker killed after the gateway accepted a message but before the transaction
commits. We chose at-least-once there: the claim stays unsent, and the sweeper hands it to a new delivery
after RECLAIM_AFTER (a duplicate reminder is a nuisance; a missing one can cost a person their coverage).
"""

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from contributions.models import Contribution
from contributions.services import contribution_set_status
from matrix_portal import sql
from matrix_portal.page_cache import person_pages_changed
from matrix_portal.sms import send_sms
from matrix_portal.timeutil import format_date
from matrix_portal.validation import full_clean_fields
from payments.models import Payment
from receipts.models import Receipt, ReminderLog

logger = logging.getLogger(__name__)

FPX_METHOD_LABEL = "Portal MATRIX - FPX"
CASH_METHOD_LABEL = "Tunai"


def receipt_number(*, year: int, sequence: int) -> str:
    """Year + 10-digit sequence, as the seed's 20190000104627."""
    return f"{year:04d}{sequence:010d}"


# One statement creates the year's counter row on its first receipt and otherwise increments it; either way
# the row stays locked until the payment's transaction ends, so concurrent confirmations queue on it.
_NEXT_SEQUENCE_SQL = (
    'INSERT INTO "receipts_receiptcounter" ("year", "last") VALUES (%s, 1) '
    'ON CONFLICT ("year") DO UPDATE SET "last" = "receipts_receiptcounter"."last" + 1 RETURNING "last"'
)


def _next_sequence(*, year: int) -> int:
    """Take the year's next number: gapless, because a rollback also rolls back the increment."""
    with sql.cursor() as cursor:
        cursor.execute(_NEXT_SEQUENCE_SQL, [year])
        return cursor.fetchone()[0]


def payment_method_label(payment: Payment) -> str:
    if payment.method == Payment.Method.CASH:
        office = payment.office.name if payment.office_id else ""
        return f"{office} - {CASH_METHOD_LABEL}" if office else CASH_METHOD_LABEL
    return FPX_METHOD_LABEL


@transaction.atomic
def receipt_issue(*, payment: Payment) -> Receipt:
    """Number and store the receipt of a paid payment, copying everything it prints. Idempotent."""
    existing = Receipt.objects.filter(payment=payment).first()
    if existing:
        return existing
    contribution = Contribution.objects.select_related("person", "sector", "plan").get(
        pk=payment.contribution_id
    )
    receipt = receipt_issue_new(payment=payment, contribution=contribution)
    person_pages_changed(person_id=contribution.person_id)
    return receipt


def receipt_issue_new(*, payment: Payment, contribution: Contribution) -> Receipt:
    """receipt_issue for a payment made Paid in the caller's transaction, so it has no receipt yet.

    `contribution` is the payment's contribution as that transaction left it (coverage fixed); its person,
    sector and plan are read from it, and the payment's bank from the payment (select_related them to save
    the queries). Must run inside that transaction: the one-receipt-per-payment constraint still refuses a
    second receipt. The row is inserted without model signals: the caller drops the person's kept pages.
    """
    person = contribution.person
    paid_at = payment.paid_at
    year = timezone.localtime(paid_at).year
    sequence = _next_sequence(year=year)
    receipt = Receipt(
        payment=payment,
        number=receipt_number(year=year, sequence=sequence),
        year=year,
        sequence=sequence,
        verification_token=secrets.token_urlsafe(32),
        ic_number=person.ic_number,
        self_employed_code=person.self_employed_code or "",
        name=person.full_name,
        sector_name_ms=contribution.sector.name_ms.upper(),
        payment_method_label=payment_method_label(payment),
        plan_yearly_amount=contribution.plan.yearly_amount,
        months=contribution.months,
        amount=payment.amount,
        paid_at=paid_at,
        coverage_start=contribution.coverage_start,
        coverage_end=contribution.coverage_end,
        bank_name=payment.bank.name if payment.bank_id else "",
        fpx_txn_id=payment.fpx_txn_id,
    )
    full_clean_fields(receipt, exclude=["pdf", "pdf_sha256"])
    sql.insert(receipt)
    _queue_render_on_commit(receipt.id)
    return receipt


def _queue_render_on_commit(receipt_id: int) -> None:
    """Queue the PDF render once the payment's transaction commits (never for a rolled-back one).

    Robust: if the broker is down (or, in eager mode, the render fails) the confirmed payment still
    succeeds; the PDF is then rendered from the row on its first download.
    """
    from receipts.tasks import render_receipt_pdf

    transaction.on_commit(lambda: render_receipt_pdf.delay(receipt_id), robust=True)


def _pdf_name(receipt: Receipt) -> str:
    return f"receipts/{receipt.year}/{receipt.number}.pdf"


def _read_stored_pdf(receipt: Receipt) -> bytes | None:
    """The stored file's bytes when it exists and matches the recorded SHA-256, else None."""
    if not (receipt.pdf and receipt.pdf_sha256):
        return None
    try:
        with default_storage.open(receipt.pdf.name, "rb") as stored:
            data = stored.read()
    except (FileNotFoundError, OSError):
        return None
    if hashlib.sha256(data).hexdigest() != receipt.pdf_sha256:
        logger.error("Stored PDF of receipt %s does not match its SHA-256; rendering it again.", receipt.pk)
        return None
    return data


@transaction.atomic
def receipt_store_pdf(*, receipt_id: int) -> bytes:
    """Render the receipt's PDF from its own row and store it, unless a good copy is stored. Idempotent.

    The row is locked so two workers never render the same receipt at once. A re-render (file lost) gives
    the same bytes, because rendering is deterministic; a differing hash is logged loudly.
    """
    from receipts.rendering import render_receipt_pdf

    receipt = Receipt.objects.select_for_update().get(pk=receipt_id)
    stored = _read_stored_pdf(receipt)
    if stored is not None:
        return stored
    data = render_receipt_pdf(receipt)
    digest = hashlib.sha256(data).hexdigest()
    if receipt.pdf_sha256 and receipt.pdf_sha256 != digest:
        logger.error("Receipt %s re-rendered with a different SHA-256 than when issued.", receipt.pk)
    name = _pdf_name(receipt)
    if default_storage.exists(name):
        default_storage.delete(name)
    receipt.pdf.name = default_storage.save(name, ContentFile(data))
    receipt.pdf_sha256 = digest
    receipt.save(update_fields=["pdf", "pdf_sha256"])
    return data


def receipt_pdf_bytes(*, receipt: Receipt) -> bytes:
    """The bytes to download: the stored file, or (missing or damaged) the same bytes rendered again."""
    stored = _read_stored_pdf(receipt)
    if stored is not None:
        return stored
    return receipt_store_pdf(receipt_id=receipt.pk)


# --- Renewal reminders -------------------------------------------------------------------------------

RECLAIM_AFTER = dt.timedelta(minutes=15)
MAX_DELIVERY_ATTEMPTS = 5
REMINDER_SUBJECT = _("Your SKSPS coverage ends soon")
REMINDER_SUBJECT_ENDED = _("Your SKSPS coverage has ended")
REMINDER_MESSAGE = _("Your SKSPS coverage for %(sector)s ends on %(date)s. Renew: %(link)s")
REMINDER_MESSAGE_ENDED = _("Your SKSPS coverage for %(sector)s ended on %(date)s. Renew: %(link)s")
REMINDER_GREETING = _("Dear %(name)s,")
REMINDER_SIGNATURE = _("PERKESO - Self-Employment Social Security Scheme")


class ReminderDeliveryError(Exception):
    """A channel refused a reminder; the delivery task retries the channels not yet sent."""


def renewal_link() -> str:
    """Where a person renews: the self-employed dashboard."""
    try:
        path = reverse("contributions:dashboard")
    except NoReverseMatch:
        path = "/self-employed/"
    return f"{settings.SITE_URL}{path}"


def reminder_text(*, log: ReminderLog) -> tuple[str, str]:
    """(subject, message) in the active language."""
    contribution = log.contribution
    params = {
        "sector": contribution.sector.name,
        "date": format_date(log.coverage_end),
        "link": renewal_link(),
    }
    if log.notice == ReminderLog.Notice.EXPIRED:
        return str(REMINDER_SUBJECT_ENDED), str(REMINDER_MESSAGE_ENDED) % params
    return str(REMINDER_SUBJECT), str(REMINDER_MESSAGE) % params


def reminder_deliver(*, log_id: int, now: dt.datetime | None = None) -> bool:
    """Send a claimed reminder by e-mail and SMS once. False when it was already sent or is being sent."""
    now = now or timezone.now()
    errors = []
    with transaction.atomic():
        log = (
            ReminderLog.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("contribution__person", "contribution__sector")
            .filter(pk=log_id, sent_at__isnull=True)
            .first()
        )
        if log is None:
            return False
        person = log.contribution.person
        log.attempts += 1
        with translation.override(person.language or settings.LANGUAGE_CODE):
            subject, message = reminder_text(log=log)
            body = "\n\n".join(
                [str(REMINDER_GREETING) % {"name": person.full_name}, message, str(REMINDER_SIGNATURE)]
            )
        if log.email_sent_at is None and person.email:
            try:
                EmailMessage(subject=subject, body=body, to=[person.email]).send()
                log.email_sent_at = now
            except Exception as exc:  # noqa: BLE001 - any mail failure is retried later
                errors.append(f"email: {type(exc).__name__}")
        if log.sms_sent_at is None and person.mobile:
            try:
                send_sms(to=str(person.mobile), body=message)
                log.sms_sent_at = now
            except Exception as exc:  # noqa: BLE001 - any gateway failure is retried later
                errors.append(f"sms: {type(exc).__name__}")
        if not errors:
            log.sent_at = now
        log.last_error = "; ".join(errors)[:200]
        log.save(update_fields=["attempts", "email_sent_at", "sms_sent_at", "sent_at", "last_error"])
    if errors:
        raise ReminderDeliveryError(log.last_error)
    return True


def reminders_reclaim_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Claims left unsent for RECLAIM_AFTER (a worker died, a task was lost): hand them out again.

    Each row is re-stamped with a conditional UPDATE, so two sweepers never hand out the same claim.
    """
    now = now or timezone.now()
    cutoff = now - RECLAIM_AFTER
    stale = ReminderLog.objects.filter(
        sent_at__isnull=True, claimed_at__lt=cutoff, attempts__lt=MAX_DELIVERY_ATTEMPTS
    ).values_list("pk", flat=True)
    reclaimed = []
    for pk in list(stale[:1000]):
        if ReminderLog.objects.filter(pk=pk, sent_at__isnull=True, claimed_at__lt=cutoff).update(
            claimed_at=now
        ):
            reclaimed.append(pk)
    return reclaimed


def contributions_expire_ended(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """Move Active/Renewed contributions whose coverage has ended to Expired."""
    from contributions.selectors import ended_contribution_ids

    now = now or timezone.now()
    expired = 0
    for pk in ended_contribution_ids(now=now, limit=batch):
        with transaction.atomic():
            contribution = (
                Contribution.objects.select_for_update()
                .filter(pk=pk, status__in=[Contribution.Status.ACTIVE, Contribution.Status.RENEWED])
                .first()
            )
            if contribution is None or contribution.coverage_end >= now:
                continue
            contribution_set_status(
                contribution=contribution,
                status=Contribution.Status.EXPIRED,
                reason="Coverage period ended.",
                now=now,
            )
            contribution.save(update_fields=["status"])
            expired += 1
    return expired


def reminders_claim_due(*, now: dt.datetime | None = None) -> list[int]:
    """Claim every notice due at `now`; returns the new claims' ids for delivery.

    One INSERT ... SELECT per notice: the due contributions are claimed in a single statement, and the
    unique (contribution, notice) constraint skips (ON CONFLICT DO NOTHING) any pair another run claimed
    first, so only the rows this run inserted come back (RETURNING) and are handed to delivery.
    """
    from receipts.selectors import reminders_due

    now = now or timezone.now()
    claimed: list[int] = []
    for notice, contributions in reminders_due(now=now).items():
        claimed.extend(_claim_all(contributions=contributions, notice=notice, now=now))
    return sorted(claimed)


def _claim_all(*, contributions, notice: str, now: dt.datetime) -> list[int]:
    meta = ReminderLog._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("contribution", "coverage_end", "notice", "claimed_at", "attempts", "last_error")
    )
    unique = ", ".join(quote(meta.get_field(name).column) for name in ("contribution", "notice"))
    due_sql, due_params = contributions.values_list("pk", "coverage_end").query.sql_with_params()
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join. Only quoted model
    # identifiers and the ORM's own compiled query go into the text; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT due.*, %s, %s, 0, '' FROM ({due_sql}) AS due WHERE true "
        f"ON CONFLICT ({unique}) DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        claimed_at = meta.get_field("claimed_at").get_db_prep_value(now, connection)
        cursor.execute(sql, [notice, claimed_at, *due_params])
        return [row[0] for row in cursor.fetchall()]
