"""Writes for the counter desk at PERKESO offices: walk-in accounts, cash entries and their voids.

A cash entry goes through the same path as an FPX approval (`payment_confirm`), so the coverage window,
the plan lock, the contribution's status and the receipt number are fixed exactly as for online payments.
Locks are taken registration (when opening a renewal), then contribution, then payment, as elsewhere.
"""

import datetime as dt
import logging
import secrets
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import ic as ic_numbers
from accounts.services import activation_link_send, signup_conflicts
from contributions.models import Contribution, Office, Plan, SectorRegistration
from contributions.services import contribution_renew, contribution_set_status, registration_submit
from matrix_portal.audit import audit_record, snapshot
from matrix_portal.errors import ApplicationError
from matrix_portal.models import AuditEvent
from payments.models import CashVoid, Payment, PaymentStatusChange
from payments.services import payment_confirm
from receipts.models import Receipt

logger = logging.getLogger(__name__)

MESSAGE_ALREADY_PAID = _(
    "This contribution has already been paid, so no cash can be taken for it. Print the receipt of the "
    "earlier payment instead."
)
MESSAGE_NOT_PAYABLE = _("This contribution is not waiting for payment, so no cash can be taken for it.")
MESSAGE_FPX_IN_PROGRESS = _(
    "An online (FPX) payment for this contribution is in progress. Do not take cash now: ask the person "
    "to come back after 60 minutes, when the bank has answered."
)
MESSAGE_FORM_USED = _("This cash form was already used for another contribution. Please start again.")
MESSAGE_NO_OFFICE = _("Choose the office you are working at before taking cash.")
MESSAGE_OFFICE_INACTIVE = _("This office is not open for counter payments.")
MESSAGE_NOT_CASH = _("Only cash entries taken at a counter can be voided here.")
MESSAGE_ALREADY_VOIDED = _("This cash entry has already been voided.")
MESSAGE_VOID_NOT_SAME_DAY = _(
    "Only a cash entry taken today can be voided. Entries of earlier days are corrected through a refund."
)
MESSAGE_VOID_OWN_ENTRY = _(
    "You took this cash entry yourself, so you cannot void it. Another supervisor must do it."
)
MESSAGE_VOID_REASON = _("Give the reason for voiding this entry.")
MESSAGE_VOID_LATER_PAID = _(
    "A later contribution of this sector was paid on top of this one. Void that later entry first."
)
MESSAGE_NOT_PAID = _("Only a paid cash entry can be voided.")
MESSAGE_PERSON_IS_STAFF = _("This IC number belongs to a staff account, not to a self-employed person.")

CASH_SOURCE = "counter"


def _key(idempotency_key) -> str:
    try:
        return str(uuid.UUID(str(idempotency_key)))
    except ValueError as exc:
        raise ApplicationError(MESSAGE_FORM_USED, code="bad_key") from exc


def _order_numbers(now: dt.datetime) -> tuple[str, str]:
    """Cash entries get order numbers too (the columns are unique and required): CT... and CASH..."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    local = timezone.localtime(now)
    seller = "CT" + local.strftime("%y%m%d") + "".join(secrets.choice(alphabet) for _ in range(8))
    exchange = "CASH" + local.strftime("%Y%m%d%H%M%S") + secrets.token_hex(3).upper()
    return seller, exchange


def office_check(*, office_id) -> Office:
    office = Office.objects.filter(pk=office_id, is_active=True).first() if office_id else None
    if office is None:
        raise ApplicationError(MESSAGE_NO_OFFICE if not office_id else MESSAGE_OFFICE_INACTIVE, code="office")
    return office


@dataclass(frozen=True)
class CashResult:
    payment: Payment
    repeated: bool  # True when the idempotency key had already recorded this payment


def _existing(*, key: str, contribution_id: int | None = None, registration_id: int | None = None):
    existing = Payment.objects.filter(idempotency_key=key).select_related("contribution").first()
    if existing is None:
        return None
    same = (contribution_id is not None and existing.contribution_id == contribution_id) or (
        registration_id is not None and existing.contribution.registration_id == registration_id
    )
    if existing.method != Payment.Method.CASH or not same:
        raise ApplicationError(MESSAGE_FORM_USED, code="key_reused")
    return existing


def cash_payment_for_key(
    *, idempotency_key: str, contribution_id: int | None = None, registration_id: int | None = None
) -> Payment | None:
    """The cash payment already recorded with this key for this contribution (or registration), or None."""
    return _existing(
        key=_key(idempotency_key), contribution_id=contribution_id, registration_id=registration_id
    )


def _take(*, contribution: Contribution, staff, office: Office, key: str, now: dt.datetime) -> Payment:
    """Record the cash and confirm it. The contribution row is locked by the caller's transaction."""
    if contribution.status != Contribution.Status.SUBMITTED:
        already = Payment.objects.filter(contribution=contribution, status=Payment.Status.PAID).exists()
        raise ApplicationError(
            MESSAGE_ALREADY_PAID if already else MESSAGE_NOT_PAYABLE,
            code="already_paid" if already else "not_payable",
        )
    if Payment.objects.filter(contribution=contribution, status=Payment.Status.PAID).exists():
        raise ApplicationError(MESSAGE_ALREADY_PAID, code="already_paid")
    if Payment.objects.filter(contribution=contribution, status=Payment.Status.PENDING).exists():
        raise ApplicationError(MESSAGE_FPX_IN_PROGRESS, code="fpx_in_progress")
    seller_order_no, exchange_order_no = _order_numbers(now)
    payment = Payment(
        contribution=contribution,
        method=Payment.Method.CASH,
        status=Payment.Status.PENDING,
        amount=contribution.amount,  # the server's figure, never the form's
        seller_order_no=seller_order_no,
        exchange_order_no=exchange_order_no,
        idempotency_key=key,
        office=office,
        staff=staff,
        created_at=now,
    )
    payment.full_clean()
    payment.save()
    PaymentStatusChange.objects.create(
        payment=payment, from_status="", to_status=Payment.Status.PENDING, at=now, source=CASH_SOURCE
    )
    payment = payment_confirm(
        payment=payment, paid_at=now, source=CASH_SOURCE, by=staff, note=f"cash at {office.code}"
    )
    receipt = Receipt.objects.get(payment=payment)
    audit_record(
        action=AuditEvent.Action.CASH_PAYMENT_RECORDED,
        actor=staff,
        target=payment,
        after={
            "receipt": receipt.number,
            "amount": str(payment.amount),
            "contribution": contribution.pk,
            "months": contribution.months,
            "plan": contribution.plan.number,
            "office": office.code,
            "paid_at": now.isoformat(),
        },
        at=now,
        target_repr=f"{receipt.number} ({ic_numbers.masked(contribution.person.ic_number)})",
    )
    logger.info("cash %s taken at %s, receipt %s", payment.amount, office.code, receipt.number)
    return payment


def _run_once(work, *, key: str, lookup: dict) -> CashResult:
    """Run `work` in a savepoint; a key race lost to a concurrent click returns the winner's payment."""
    try:
        with transaction.atomic():
            return CashResult(payment=work(), repeated=False)
    except IntegrityError:
        existing = _existing(key=key, **lookup)
        if existing is None:
            raise
        return CashResult(payment=existing, repeated=True)


@transaction.atomic
def cash_payment_take(
    *, contribution_id: int, staff, office: Office, idempotency_key: str, now: dt.datetime | None = None
) -> CashResult:
    """Take cash for a contribution waiting for payment (Submitted). The same key always gives one payment."""
    now = now or timezone.now()
    key = _key(idempotency_key)
    contribution = (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("person", "plan")
        .get(pk=contribution_id)
    )
    existing = _existing(key=key, contribution_id=contribution.pk)
    if existing is not None:
        return CashResult(payment=existing, repeated=True)
    return _run_once(
        lambda: _take(contribution=contribution, staff=staff, office=office, key=key, now=now),
        key=key,
        lookup={"contribution_id": contribution.pk},
    )


@transaction.atomic
def cash_renewal_take(
    *,
    registration_id: int,
    plan: Plan,
    months: int,
    staff,
    office: Office,
    idempotency_key: str,
    now: dt.datetime | None = None,
) -> CashResult:
    """Open a renewal (or a new period after a void) under the online rules and take cash for it at once."""
    now = now or timezone.now()
    key = _key(idempotency_key)
    registration = (
        SectorRegistration.objects.select_for_update().select_related("person").get(pk=registration_id)
    )
    existing = _existing(key=key, registration_id=registration.pk)
    if existing is not None:
        return CashResult(payment=existing, repeated=True)

    def work():
        contribution = contribution_renew(
            person=registration.person, registration_id=registration.pk, plan=plan, months=months, now=now
        )
        contribution = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("person", "plan")
            .get(pk=contribution.pk)
        )
        return _take(contribution=contribution, staff=staff, office=office, key=key, now=now)

    return _run_once(work, key=key, lookup={"registration_id": registration.pk})


def same_counter_day(*, paid_at: dt.datetime, now: dt.datetime) -> bool:
    """Whether `now` is on the Malaysian calendar day the cash was taken (the settings' time zone)."""
    return timezone.localdate(paid_at) == timezone.localdate(now)


def cash_void_problem(*, payment: Payment, supervisor, now: dt.datetime | None = None) -> str:
    """Why `supervisor` may not void `payment` now (a message), or "" when the void is allowed."""
    now = now or timezone.now()
    if payment.method != Payment.Method.CASH:
        return str(MESSAGE_NOT_CASH)
    if payment.status != Payment.Status.PAID:
        return str(MESSAGE_NOT_PAID)
    if CashVoid.objects.filter(payment=payment).exists():
        return str(MESSAGE_ALREADY_VOIDED)
    if not same_counter_day(paid_at=payment.paid_at, now=now):
        return str(MESSAGE_VOID_NOT_SAME_DAY)
    if payment.staff_id == supervisor.pk:
        return str(MESSAGE_VOID_OWN_ENTRY)
    return ""


@transaction.atomic
def cash_void(
    *, payment_id: int, supervisor, reason: str, office: Office | None = None, now=None
) -> CashVoid:
    """Void a same-day cash entry: a CashVoid row, the coverage cancelled, the receipt marked void.

    The contribution becomes Rejected ("Contribution is cancelled"), which also lifts the plan lock it set,
    so the person may pay that sector again.
    """
    now = now or timezone.now()
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ApplicationError(MESSAGE_VOID_REASON, code="reason")
    hint = Payment.objects.filter(pk=payment_id).values("contribution_id").first()
    if hint is None:
        raise Payment.DoesNotExist
    contribution = Contribution.objects.select_for_update().get(pk=hint["contribution_id"])
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    problem = cash_void_problem(payment=payment, supervisor=supervisor, now=now)
    if problem:
        raise ApplicationError(problem, code="void_refused")
    later_paid = (
        Contribution.objects.filter(
            registration_id=contribution.registration_id,
            coverage_cancelled_at__isnull=True,
            coverage_start__gt=contribution.coverage_start,
        )
        .exclude(pk=contribution.pk)
        .exclude(status=Contribution.Status.REJECTED)
        .exists()
    )
    if later_paid:
        raise ApplicationError(MESSAGE_VOID_LATER_PAID, code="later_paid")
    receipt = Receipt.objects.select_for_update().get(payment=payment)
    before = {
        "contribution_status": contribution.status,
        "coverage_end": contribution.coverage_end,
        "receipt_voided_at": None,
    }
    void = CashVoid(payment=payment, voided_by=supervisor, reason=reason, voided_at=now, office=office)
    void.full_clean()
    void.save()
    contribution_set_status(
        contribution=contribution,
        status=Contribution.Status.REJECTED,
        by=supervisor,
        reason=f"cash entry voided: {reason}"[:200],
        now=now,
    )
    contribution.coverage_cancelled_at = now
    contribution.save(update_fields=["status", "coverage_cancelled_at"])
    receipt.voided_at = now
    receipt.void_reason = reason
    receipt.save(update_fields=["voided_at", "void_reason"])
    audit_record(
        action=AuditEvent.Action.RECEIPT_VOIDED,
        actor=supervisor,
        target=payment,
        before=before,
        after={
            "contribution_status": contribution.status,
            "coverage_cancelled_at": now,
            "receipt_voided_at": now,
            "reason": reason,
            "taken_by": payment.staff_id,
        },
        at=now,
        target_repr=f"{receipt.number} ({ic_numbers.masked(contribution.person.ic_number)})",
    )
    return void


# --- Walk-in accounts -------------------------------------------------------------------------------------


@transaction.atomic
def walk_in_account_create(
    *, ic_number: str, full_name: str, email: str, mobile, staff, language: str = "ms", now=None
):
    """An account opened at the counter for a walk-in person: no password yet, not active.

    The person activates it through the activation e-mail sent now (or later through "Forgot password",
    which sends a new activation link for accounts never activated).
    """
    now = now or timezone.now()
    User = get_user_model()
    conflicts = signup_conflicts(ic_number=ic_number, email=email, mobile=mobile)
    if conflicts:
        raise ApplicationError(next(iter(conflicts.values())), code="conflict", extra={"fields": conflicts})
    user = User(
        ic_number=ic_number,
        full_name=full_name,
        email=email.lower(),
        mobile=mobile,
        language=language,
        is_active=False,
        date_joined=now,
    )
    user.set_unusable_password()
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ApplicationError(
            next(iter(signup_conflicts(ic_number=ic_number, email=email, mobile=mobile).values()), ""),
            code="conflict",
            extra={"fields": {}},
        ) from exc
    audit_record(
        action=AuditEvent.Action.USER_ADDED,
        actor=staff,
        target=user,
        after={**snapshot(user), "entered_at_counter": True},
        at=now,
        target_repr=f"{user.full_name} ({ic_numbers.masked(user.ic_number)})",
    )
    transaction.on_commit(lambda: _send_activation(user_id=user.pk))
    logger.info("walk-in account created at the counter for %s", ic_numbers.masked(user.ic_number))
    return user


def _send_activation(*, user_id: int) -> None:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return
    try:
        activation_link_send(user=user)
    except Exception:  # noqa: BLE001 - the account exists; the person can ask again through Forgot password
        logger.exception("activation e-mail for a walk-in account could not be sent")


@transaction.atomic
def counter_registration_submit(*, staff, now=None, **kwargs) -> Contribution:
    """`registration_submit` for a person at the counter (same checks and documents), marked as entered
    by `staff` (SectorRegistration.created_by) and audited. kwargs: those of registration_submit."""
    now = now or timezone.now()
    contribution = registration_submit(now=now, **kwargs)
    registration_mark_entered_by(registration_id=contribution.registration_id, staff=staff, now=now)
    return contribution


@transaction.atomic
def registration_mark_entered_by(*, registration_id: int, staff, now=None) -> None:
    """Record that a sector registration was entered at the counter by `staff`, and audit it."""
    registration = SectorRegistration.objects.select_for_update().get(pk=registration_id)
    registration.created_by = staff
    registration.save(update_fields=["created_by"])
    audit_record(
        action=AuditEvent.Action.RECORD_ADDED,
        actor=staff,
        target=registration,
        after={"sector": registration.sector_id, "entered_at_counter": True},
        at=now,
    )
