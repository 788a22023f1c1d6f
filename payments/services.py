"""Writes for payments: starting an FPX attempt, applying gateway results exactly once, re-query, bank list.

Every confirmation goes through `payment_confirm` (and every failure through `payment_fail`), whoever
learnt the result: the direct AC, the browser's indirect AC, an AE re-query, or (later) a counter cash
entry. Locks are taken contribution first, then payment, everywhere.
"""

import datetime as dt
import functools
import logging
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from contributions.models import Contribution
from contributions.services import MESSAGE_NOT_PAYABLE, contribution_mark_paid_locked
from matrix_portal import sql
from matrix_portal.errors import ApplicationError
from matrix_portal.money import quantize
from matrix_portal.page_cache import person_pages_changed
from matrix_portal.validation import full_clean_fields
from payments import codes, fpx, gateway, keys
from payments.models import Bank, GatewayMessage, Payment, PaymentStatusChange
from receipts.services import receipt_issue_new

logger = logging.getLogger(__name__)

MESSAGE_AMOUNT_OUT_OF_RANGE = _("Online payment through FPX accepts RM 1.00 to RM 30,000.00 per transaction.")
MESSAGE_AMOUNT_INVALID = _("This is not a valid amount.")
MESSAGE_BANK_UNAVAILABLE = _("This bank is offline at the moment. Please choose another bank.")
MESSAGE_PAYMENT_IN_PROGRESS = _(
    "A payment for this contribution is already in progress. Please retry after 60 minutes."
)
MESSAGE_FORM_USED = _("This payment form has already been used. Please start the payment again.")

# status -> statuses it may move to. Paid is final; a failed attempt becomes Paid only on a verified
# late approval from the gateway.
TRANSITIONS = {
    Payment.Status.PENDING: {Payment.Status.PAID, Payment.Status.FAILED},
    Payment.Status.FAILED: {Payment.Status.PAID},
    Payment.Status.PAID: set(),
}


def payment_set_status(*, payment: Payment, status: str, source: str, note: str = "", now=None) -> None:
    """The one way a payment's status changes: refuses illegal moves and appends to the ledger."""
    if status not in TRANSITIONS[payment.status]:
        raise ApplicationError(f"Illegal payment status change {payment.status} -> {status}")
    change = PaymentStatusChange(
        payment_id=payment.pk,
        from_status=payment.status,
        to_status=status,
        at=now or timezone.now(),
        source=source[:20],
        note=note[:200],
    )
    sql.insert(change)  # an append-only ledger row: nothing listens for its save
    payment.status = status


def payment_check_fpx_amount(*, amount: Any) -> Decimal:
    """The amount as Decimal when FPX B2C takes it (RM1.00-RM30,000.00, whole sen), else ApplicationError."""
    if isinstance(amount, float):
        raise ApplicationError(MESSAGE_AMOUNT_INVALID, code="amount_invalid")
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
        rounded = quantize(value)
    except (ValueError, ArithmeticError, TypeError) as exc:
        raise ApplicationError(MESSAGE_AMOUNT_INVALID, code="amount_invalid") from exc
    if rounded != value:
        raise ApplicationError(MESSAGE_AMOUNT_INVALID, code="amount_invalid")
    if not fpx.amount_in_b2c_range(rounded):
        raise ApplicationError(MESSAGE_AMOUNT_OUT_OF_RANGE, code="amount_out_of_range")
    return rounded


def _order_numbers(now) -> tuple[str, str]:
    """Seller order no. (shown to the buyer) and seller exchange order no. (FPX's key), both unique."""
    stamp = timezone.localtime(now).strftime("%Y%m%d%H%M%S")
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    seller = (
        "MX"
        + timezone.localtime(now).strftime("%y%m%d")
        + "".join(secrets.choice(alphabet) for _ in range(8))
    )
    exchange = stamp + secrets.token_hex(3).upper()
    return seller, exchange


_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9 @/\\().\-_,&']", re.ASCII)


def _buyer_name(full_name: str) -> str:
    """The characters FPX is known to accept in fpx_buyerName, at most 40 of them (may be empty)."""
    return _NAME_CHARACTERS.sub("", full_name or "").strip()[:40]


def _buyer_email(email: str) -> str:
    email = (email or "").strip()
    return email if email.isascii() and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) else ""


def build_ar(*, payment: Payment) -> dict[str, str]:
    """The AR for an attempt, every field of docs/fpx.md, signed with the merchant key."""
    person = payment.contribution.person
    fields = {
        "fpx_msgType": "AR",
        "fpx_msgToken": fpx.B2C_TOKEN,
        "fpx_sellerExId": settings.FPX_EXCHANGE_ID,
        "fpx_sellerExOrderNo": payment.exchange_order_no,
        "fpx_sellerTxnTime": payment.seller_txn_time,
        "fpx_sellerOrderNo": payment.seller_order_no,
        "fpx_sellerId": settings.FPX_SELLER_ID,
        "fpx_sellerBankCode": settings.FPX_SELLER_BANK_CODE,
        "fpx_txnCurrency": payment.currency,
        "fpx_txnAmount": fpx.format_amount(payment.amount),
        "fpx_buyerEmail": _buyer_email(person.email),
        "fpx_buyerName": _buyer_name(person.full_name),
        "fpx_buyerBankId": payment.bank.fpx_id,
        "fpx_productDesc": settings.FPX_PRODUCT_DESC,
        "fpx_version": settings.FPX_VERSION,
    }
    return fpx.sign_message(fields, "AR", keys.merchant_private_key())


@transaction.atomic
def payment_start_fpx(*, contribution: Contribution, bank: Bank, idempotency_key: str, now=None) -> Payment:
    """Create the Pending attempt and its signed AR. The same idempotency key always gives the same attempt.

    A second attempt while one is pending is refused: the first may still be at the bank.
    """
    now = now or timezone.now()
    try:
        key = str(uuid.UUID(str(idempotency_key)))
    except ValueError as exc:
        raise ApplicationError(MESSAGE_FORM_USED, code="bad_key") from exc
    contribution = (
        Contribution.objects.select_for_update(of=("self",)).select_related("person").get(pk=contribution.pk)
    )
    existing = Payment.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.contribution_id != contribution.pk:
            raise ApplicationError(MESSAGE_FORM_USED, code="key_reused")
        return existing
    if contribution.status != Contribution.Status.SUBMITTED:
        raise ApplicationError(MESSAGE_NOT_PAYABLE, code="not_payable")
    amount = payment_check_fpx_amount(amount=contribution.amount)
    if bank.status != Bank.Status.ONLINE or not bank.is_listed:
        raise ApplicationError(MESSAGE_BANK_UNAVAILABLE, code="bank_offline")
    pending = Payment.objects.filter(contribution=contribution, status=Payment.Status.PENDING).first()
    if pending is not None:
        raise ApplicationError(MESSAGE_PAYMENT_IN_PROGRESS, code="in_progress", extra={"payment": pending})
    seller_order_no, exchange_order_no = _order_numbers(now)
    payment = Payment(
        contribution=contribution,
        method=Payment.Method.FPX,
        status=Payment.Status.PENDING,
        amount=amount,
        currency=fpx.CURRENCY,
        seller_order_no=seller_order_no,
        exchange_order_no=exchange_order_no,
        seller_txn_time=timezone.localtime(now).strftime("%Y%m%d%H%M%S"),
        bank=bank,
        idempotency_key=key,
        created_at=now,
    )
    payment.full_clean()
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError as exc:  # a concurrent click won the race
        existing = Payment.objects.filter(idempotency_key=key, contribution=contribution).first()
        if existing is not None:
            return existing
        raise ApplicationError(MESSAGE_PAYMENT_IN_PROGRESS, code="in_progress") from exc
    PaymentStatusChange.objects.create(
        payment=payment, from_status="", to_status=Payment.Status.PENDING, at=now, source="portal"
    )
    ar = build_ar(payment=payment)
    GatewayMessage.objects.create(
        payment=payment,
        direction=GatewayMessage.Direction.OUT,
        msg_type="AR",
        channel="browser",
        fields=ar,
        signature_valid=True,
        exchange_order_no=payment.exchange_order_no,
        received_at=now,
    )
    return payment


def _english(message) -> str:
    with translation.override("en"):
        return str(message)


@transaction.atomic
def payment_confirm(
    *,
    payment: Payment,
    paid_at,
    source: str,
    by=None,
    fpx_txn_id: str = "",
    debit_auth_code: str = "",
    note: str = "",
) -> Payment:
    """Make the payment Paid, its contribution Active (or Renewed) and number its receipt, all at once.

    Idempotent: a paid payment is returned as it is. When the contribution was already paid through
    another attempt, this one is failed with a refund note instead (and logged for finance).
    """
    payment = lock_for_confirmation(pk=payment.pk)
    return payment_confirm_locked(
        payment=payment,
        contribution=payment.contribution,
        paid_at=paid_at,
        source=source,
        by=by,
        fpx_txn_id=fpx_txn_id,
        debit_auth_code=debit_auth_code,
        note=note,
    )


@functools.cache
def _attnames(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _partial(model, **values):
    """A row read with only some of its columns (the others deferred, as with `only()`)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def _columns(alias: str, fields) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in fields)


@functools.cache
def _lock_statement(by: str, for_update_of: bool) -> tuple[str, tuple]:
    """The locking read of lock_for_confirmation, by "pk" or by "order", and the fields of its columns."""
    from accounts.models import User
    from contributions.models import Plan, Sector

    payment_fields = tuple(Payment._meta.concrete_fields)
    contribution_fields = tuple(Contribution._meta.concrete_fields)
    printed = (
        *(User._meta.get_field(name) for name in ("ic_number", "self_employed_code", "full_name")),
        Sector._meta.get_field("name_ms"),
        Plan._meta.get_field("yearly_amount"),
        Bank._meta.get_field("name"),
    )
    where = 'p."id" = %s' if by == "pk" else 'p."exchange_order_no" = %s AND p."method" = %s'
    # Only model identifiers go into the text; the values are parameters.
    text = (
        f"SELECT {_columns('p', payment_fields)}, {_columns('c', contribution_fields)}, "  # noqa: S608
        'u."ic_number", u."self_employed_code", u."full_name", s."name_ms", pl."yearly_amount", b."name" '
        f'FROM "{Payment._meta.db_table}" p '
        f'JOIN "{Contribution._meta.db_table}" c ON c."id" = p."contribution_id" '
        f'JOIN "{User._meta.db_table}" u ON u."id" = c."person_id" '
        f'JOIN "{Sector._meta.db_table}" s ON s."id" = c."sector_id" '
        f'JOIN "{Plan._meta.db_table}" pl ON pl."id" = c."plan_id" '
        f'LEFT JOIN "{Bank._meta.db_table}" b ON b."id" = p."bank_id" '
        f"WHERE {where}" + (" FOR UPDATE OF c, p" if for_update_of else "")
    )
    return text, (*payment_fields, *contribution_fields, *printed)


def lock_for_confirmation(*, pk: int | None = None, exchange_order_no: str | None = None) -> Payment:
    """The payment `pk` (or the FPX payment of `exchange_order_no`) with its contribution, both locked.

    One prepared statement, `SELECT ... FOR UPDATE OF contribution, payment`: PostgreSQL locks each row it
    returns in the order of the OF list, so the contribution is locked before the payment, the order every
    path takes. The person, sector, plan and bank are joined (not locked) for what the receipt copies, so
    the confirmation reads none of these rows again: the instances carry just those columns. Raises
    Payment.DoesNotExist.
    """
    from accounts.models import User
    from contributions.models import Plan, Sector

    if pk is not None:
        statement, fields = _lock_statement("pk", connection.features.has_select_for_update_of)
        params = [pk]
    else:
        statement, fields = _lock_statement("order", connection.features.has_select_for_update_of)
        params = [exchange_order_no, Payment.Method.FPX]
    with sql.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        raise Payment.DoesNotExist("No payment to confirm matches the query.")
    row = sql.convert(row, fields)
    db = connection.alias
    size, contribution_size = len(Payment._meta.concrete_fields), len(Contribution._meta.concrete_fields)
    payment = Payment.from_db(db, _attnames(Payment), row[:size])
    contribution = Contribution.from_db(db, _attnames(Contribution), row[size : size + contribution_size])
    ic_number, self_employed_code, full_name, sector_name_ms, yearly_amount, bank_name = row[
        size + contribution_size :
    ]
    contribution.person = _partial(
        User,
        id=contribution.person_id,
        ic_number=ic_number,
        self_employed_code=self_employed_code,
        full_name=full_name,
    )
    contribution.sector = _partial(Sector, id=contribution.sector_id, name_ms=sector_name_ms)
    contribution.plan = _partial(Plan, id=contribution.plan_id, yearly_amount=yearly_amount)
    payment.contribution = contribution
    if payment.bank_id is not None:
        payment.bank = _partial(Bank, id=payment.bank_id, name=bank_name)
    return payment


# What confirming writes to the payment row (the rest of the row is left as it is).
CONFIRMED_FIELDS = ("status", "paid_at", "fpx_txn_id", "debit_auth_code", "failure_reason", "updated_at")


def payment_confirm_locked(
    *,
    payment: Payment,
    contribution: Contribution,
    paid_at,
    source: str,
    by=None,
    fpx_txn_id: str = "",
    debit_auth_code: str = "",
    note: str = "",
) -> Payment:
    """payment_confirm for rows the caller locked with lock_for_confirmation, inside its transaction.

    No savepoint of its own: whatever fails here rolls the caller's whole transaction back.
    """
    if payment.contribution_id != contribution.pk:
        raise ValueError("The payment does not belong to this contribution")
    if payment.status == Payment.Status.PAID:
        return payment
    # Another attempt paid this contribution when it is no longer Submitted: only this function makes a
    # payment Paid (Paid is final), and it moves the contribution out of Submitted in the same transaction,
    # which no other path undoes. The one_paid_payment_per_contribution constraint backs this up.
    if contribution.status != Contribution.Status.SUBMITTED:
        logger.error(
            "payment %s approved but contribution %s is no longer payable: refund required",
            payment.seller_order_no,
            contribution.pk,
        )
        if payment.status == Payment.Status.PENDING:
            payment.fpx_txn_id = fpx_txn_id or payment.fpx_txn_id
            payment.debit_auth_code = debit_auth_code or payment.debit_auth_code
            payment.failure_reason = _english(codes.MESSAGE_REFUND_REQUIRED)[:200]
            payment_set_status(
                payment=payment,
                status=Payment.Status.FAILED,
                source=source,
                note="refund required",
                now=paid_at,
            )
            payment.full_clean()
            payment.save()
        return payment
    payment_set_status(payment=payment, status=Payment.Status.PAID, source=source, note=note, now=paid_at)
    payment.paid_at = paid_at
    payment.fpx_txn_id = fpx_txn_id or payment.fpx_txn_id
    payment.debit_auth_code = debit_auth_code or payment.debit_auth_code
    payment.failure_reason = ""
    full_clean_fields(payment, only=CONFIRMED_FIELDS)
    sql.update(payment, CONFIRMED_FIELDS)
    contribution_mark_paid_locked(contribution=contribution, paid_at=paid_at, by=by)
    receipt_issue_new(payment=payment, contribution=contribution)
    # The rows above were written without model signals: the person's kept pages are dropped here, once
    # (the Django admin's audit receivers have nothing to do: no admin request confirms a payment).
    person_pages_changed(person_id=contribution.person_id)
    return payment


@transaction.atomic
def payment_fail(*, payment: Payment, code: str, source: str, fpx_txn_id: str = "", now=None) -> Payment:
    """Fail a pending attempt with the gateway's status code. Paid and failed attempts are left alone."""
    now = now or timezone.now()
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.PENDING:
        return payment
    payment.debit_auth_code = code[:4]
    payment.fpx_txn_id = fpx_txn_id or payment.fpx_txn_id
    payment.failure_reason = f"{code} {codes.gateway_name(code)}"[:200]
    payment_set_status(payment=payment, status=Payment.Status.FAILED, source=source, note=code, now=now)
    payment.full_clean()
    payment.save()
    return payment


@dataclass(frozen=True)
class AcResult:
    """What became of a received AC. `accepted`: verified and matched, so it is answered `OK`."""

    accepted: bool
    payment: Payment | None
    note: str


def _printable(value, limit: int) -> str:
    """Text safe to store anywhere (PostgreSQL refuses NUL characters in text and JSON)."""
    return str(value)[:limit].replace("\x00", "\ufffd")


def _audit_fields(data: Mapping) -> dict:
    """A bounded copy of whatever was posted, for the audit trail (hostile bodies included)."""
    items = data.lists() if hasattr(data, "lists") else ((key, [value]) for key, value in data.items())
    copy = {}
    for index, (key, values) in enumerate(items):
        if index >= 60:
            copy["…"] = "more fields left out"
            break
        texts = [_printable(value, 1100) for value in values]
        copy[_printable(key, 60)] = texts[0] if len(texts) == 1 else texts
    return copy


def fpx_receive_ac(*, data: Mapping, channel: str, now=None) -> AcResult:
    """Store, verify, match and apply an AC (direct, indirect or AE reply). Safe to repeat.

    A message that can be applied is stored first, on its own (committed unless the caller holds a
    transaction open), and what became of it is written to the same row by the transaction that applies
    it. A message refused before any lookup (malformed, not verified, not for this seller) changes nothing
    and is stored once, with its outcome.
    """
    now = now or timezone.now()
    audit = _audit_fields(data)
    exchange_order_no = str(audit.get("fpx_sellerExOrderNo", ""))[:40]
    message = GatewayMessage(
        direction=GatewayMessage.Direction.IN,
        msg_type="AC",
        channel=channel,
        fields=audit,
        exchange_order_no=exchange_order_no,
        received_at=now,
    )
    try:
        parsed = fpx.parse_message(data, "AC", keys.gateway_public_keys())
    except fpx.MessageError as exc:
        result = AcResult(False, None, f"malformed: {exc}")
    else:
        message.signature_valid = parsed.signature_valid
        result = _refusal(parsed)
    if result is not None:
        message.note = result.note[:200]
        sql.insert(message)
    else:
        message.note = "received"
        sql.insert(message)  # stored before anything is applied, whatever happens next
        with transaction.atomic():
            result = _apply_verified_ac(fields=parsed.fields, channel=channel, now=now)
            message.payment, message.note = result.payment, result.note[:200]
            sql.update(message, ("payment", "note"))
    log = logger.info if result.accepted else logger.warning
    log("FPX %s AC for %s: %s", channel, exchange_order_no or "?", result.note)
    return result


def _refusal(parsed: fpx.ParsedMessage) -> AcResult | None:
    """Why a parsed AC is refused before any lookup, or None when it may be applied."""
    fields = parsed.fields
    if not parsed.signature_valid:
        return AcResult(False, None, "signature did not verify")
    if (
        fields["fpx_sellerExId"] != settings.FPX_EXCHANGE_ID
        or fields["fpx_sellerId"] != settings.FPX_SELLER_ID
    ):
        return AcResult(False, None, "not addressed to this seller")
    if fields["fpx_msgToken"] != fpx.B2C_TOKEN:
        return AcResult(False, None, "not a B2C message")
    return None


def _apply_verified_ac(*, fields: dict[str, str], channel: str, now) -> AcResult:
    """In the caller's transaction: lock the order's contribution and payment, match them, apply the code."""
    try:
        payment = lock_for_confirmation(exchange_order_no=fields["fpx_sellerExOrderNo"])
    except Payment.DoesNotExist:
        return AcResult(False, None, "unknown order")
    mismatch = _mismatch(payment=payment, fields=fields)
    if mismatch:
        return AcResult(False, payment, mismatch)
    return _apply_code(
        payment=payment, contribution=payment.contribution, fields=fields, source=channel, now=now
    )


def _mismatch(*, payment: Payment, fields: dict[str, str]) -> str:
    if fields["fpx_sellerOrderNo"] != payment.seller_order_no:
        return "seller order no. does not match"
    if fields["fpx_txnAmount"] != fpx.format_amount(payment.amount):
        return "amount does not match"
    if fields["fpx_txnCurrency"] != payment.currency:
        return "currency does not match"
    if fields["fpx_sellerTxnTime"] != payment.seller_txn_time:
        return "seller transaction time does not match"
    return ""


def _apply_code(
    *, payment: Payment, contribution: Contribution, fields: dict[str, str], source: str, now
) -> AcResult:
    code = fields["fpx_debitAuthCode"]
    txn_id = fields["fpx_fpxTxnId"][:20]
    if payment.status == Payment.Status.PAID:
        if code == codes.APPROVED:
            return AcResult(True, payment, "repeat of the approval")
        logger.warning(
            "FPX %s said %s for paid payment %s: ignored, Paid is final",
            source,
            code,
            payment.seller_order_no,
        )
        return AcResult(True, payment, f"{code} after Paid ignored")
    if code == codes.APPROVED:
        payment = payment_confirm_locked(
            payment=payment,
            contribution=contribution,
            paid_at=now,
            source=source,
            fpx_txn_id=txn_id,
            debit_auth_code=code,
        )
        return AcResult(
            True, payment, "approved" if payment.status == Payment.Status.PAID else "refund required"
        )
    if code in codes.PENDING_CODES or (
        code == codes.NOT_FOUND
        and source == "ae"
        and payment.created_at > now - dt.timedelta(minutes=settings.FPX_PENDING_ABANDON_MINUTES)
    ):
        if payment.status == Payment.Status.PENDING and (txn_id, code) != (
            payment.fpx_txn_id,
            payment.debit_auth_code,
        ):
            payment.fpx_txn_id = txn_id or payment.fpx_txn_id
            payment.debit_auth_code = code
            payment.save(update_fields=["fpx_txn_id", "debit_auth_code", "updated_at"])
        return AcResult(True, payment, f"{code}: still pending")
    if payment.status == Payment.Status.FAILED:
        return AcResult(True, payment, f"{code}: already failed")
    payment = payment_fail(payment=payment, code=code, source=source, fpx_txn_id=txn_id, now=now)
    return AcResult(True, payment, f"{code}: failed")


def payment_ar(*, payment: Payment) -> dict[str, str]:
    """The signed AR sent for this attempt."""
    message = (
        GatewayMessage.objects.filter(payment=payment, direction=GatewayMessage.Direction.OUT, msg_type="AR")
        .order_by("-received_at", "-id")
        .first()
    )
    return dict(message.fields) if message else {}


def payment_requery(*, payment_id: int, now=None) -> Payment:
    """Ask FPX (AE) what became of a pending attempt and apply the answer through the AC path."""
    now = now or timezone.now()
    payment = Payment.objects.get(pk=payment_id)
    if payment.status != Payment.Status.PENDING or payment.method != Payment.Method.FPX:
        return payment
    ar = payment_ar(payment=payment)
    if not ar:
        logger.error("pending payment %s has no AR to re-query with", payment.seller_order_no)
        return payment
    ae = fpx.sign_message({**ar, "fpx_msgType": "AE"}, "AE", keys.merchant_private_key())
    GatewayMessage.objects.create(
        payment=payment,
        direction=GatewayMessage.Direction.OUT,
        msg_type="AE",
        channel="server",
        fields=ae,
        signature_valid=True,
        exchange_order_no=payment.exchange_order_no,
        received_at=now,
    )
    try:
        body = gateway.post_form(settings.FPX_AE_URL, ae)
    except gateway.GatewayUnavailable as exc:
        logger.warning("FPX AE for %s failed: %s", payment.seller_order_no, exc)
        return payment
    reply = fpx.decode_nvp(body)
    if not reply:
        GatewayMessage.objects.create(
            payment=payment,
            direction=GatewayMessage.Direction.IN,
            msg_type="AC",
            channel="ae",
            fields={"body": body[:1100]},
            exchange_order_no=payment.exchange_order_no,
            note="gateway answered ERROR",
            received_at=now,
        )
        return payment
    fpx_receive_ac(data=reply, channel="ae", now=now)
    payment.refresh_from_db()
    return payment


def pending_payments_to_requery(*, now=None) -> list[int]:
    """Ids of FPX attempts pending for longer than FPX_REQUERY_AFTER_MINUTES (and less than a week)."""
    now = now or timezone.now()
    return list(
        Payment.objects.filter(
            method=Payment.Method.FPX,
            status=Payment.Status.PENDING,
            created_at__lte=now - dt.timedelta(minutes=settings.FPX_REQUERY_AFTER_MINUTES),
            created_at__gte=now - dt.timedelta(days=7),
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )


def bank_list_refresh(*, now=None) -> bool:
    """Ask FPX for the bank list (BE), verify the BC, and update which banks are listed and online."""
    now = now or timezone.now()
    be = fpx.sign_message(
        {
            "fpx_msgToken": fpx.B2C_TOKEN,
            "fpx_msgType": "BE",
            "fpx_sellerExId": settings.FPX_EXCHANGE_ID,
            "fpx_version": settings.FPX_VERSION,
        },
        "BE",
        keys.merchant_private_key(),
    )
    GatewayMessage.objects.create(
        direction=GatewayMessage.Direction.OUT,
        msg_type="BE",
        channel="server",
        fields=be,
        signature_valid=True,
    )
    try:
        body = gateway.post_form(settings.FPX_BE_URL, be)
    except gateway.GatewayUnavailable as exc:
        logger.warning("FPX bank list request failed: %s", exc)
        return False
    reply = fpx.decode_nvp(body)
    message = GatewayMessage(
        direction=GatewayMessage.Direction.IN, msg_type="BC", channel="server", fields=_audit_fields(reply)
    )
    try:
        parsed = fpx.parse_message(reply, "BC", keys.gateway_public_keys())
    except fpx.MessageError as exc:
        message.note = f"malformed: {exc}"[:200]
        message.save()
        logger.warning("FPX bank list reply rejected: %s", message.note)
        return False
    message.signature_valid = parsed.signature_valid
    banks = fpx.parse_bank_list(parsed.fields["fpx_bankList"])
    if not parsed.signature_valid or parsed.fields["fpx_sellerExId"] != settings.FPX_EXCHANGE_ID or not banks:
        message.note = "rejected: signature, seller or empty list"
        message.save()
        logger.warning("FPX bank list reply rejected")
        return False
    message.note = f"{len(banks)} banks"
    message.save()
    _bank_list_apply(banks=dict(banks), now=now)
    return True


@transaction.atomic
def _bank_list_apply(*, banks: dict[str, str], now) -> None:
    known = set()
    for bank in Bank.objects.select_for_update().order_by("pk"):
        known.add(bank.fpx_id)
        status = banks.get(bank.fpx_id, bank.status)
        listed = bank.fpx_id in banks
        if (bank.status, bank.is_listed) != (status, listed):
            bank.status, bank.is_listed, bank.status_updated_at = status, listed, now
            bank.save(update_fields=["status", "is_listed", "status_updated_at"])
    for fpx_id, status in banks.items():
        if fpx_id not in known:
            Bank.objects.create(
                fpx_id=fpx_id, name=fpx_id, status=status, is_listed=True, status_updated_at=now
            )
