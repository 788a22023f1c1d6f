"""The simulated FPX gateway: checks ARs like FPX, runs a fake bank, and answers with signed AC, AE and BC.

It speaks to the portal only over HTTP (the browser's form posts and `payments.gateway.post_form`), with
its own key, exactly as the real gateway would; nothing here touches the portal's payments directly.
"""

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Mapping

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from payments import fpx, gateway, keys
from payments.reference_data import BANKS
from payments.simulator.models import SimulatedBank, SimulatedTransaction

logger = logging.getLogger(__name__)

# What the tester can choose on the confirmation page.
OUTCOMES = [
    ("00", "Approved (00)"),
    ("09", "Pending (09)"),
    ("51", "Insufficient funds (51)"),
    ("BC", "Cancelled by the buyer (BC)"),
    ("1M", "Internet banking session timed out (1M)"),
    ("90", "Bank internet banking unavailable (90)"),
]
CANCEL_AT_LOGIN = "1C"
CANCEL_AT_TAC = "1I"
TIMED_OUT = "1M"
PENDING = "09"
SESSION_MINUTES = 15
MAX_CLOCK_SKEW = dt.timedelta(hours=2)
MAX_ORDER_NO_LENGTH = 40
INLINE_ATTEMPTS = 3
THREAD_BACKOFF = (0, 1, 2, 4, 8, 16)


def simulator_banks() -> list[SimulatedBank]:
    """The banks the simulated gateway lists, created from the reference list on first use."""
    existing = set(SimulatedBank.objects.values_list("fpx_id", flat=True))
    missing = [
        SimulatedBank(fpx_id=fpx_id, name=name) for fpx_id, name, _legal in BANKS if fpx_id not in existing
    ]
    if missing:
        SimulatedBank.objects.bulk_create(missing, ignore_conflicts=True)
    return list(SimulatedBank.objects.all())


def simulator_bank_set_online(*, fpx_id: str, online: bool) -> None:
    simulator_banks()
    SimulatedBank.objects.filter(fpx_id=fpx_id).update(online=online)


def _local_time(value: str) -> dt.datetime | None:
    try:
        naive = dt.datetime.strptime(value, "%Y%m%d%H%M%S")  # noqa: DTZ007 - FPX times are Malaysian local
    except ValueError:
        return None
    return timezone.make_aware(naive, timezone.get_default_timezone())


def ar_error(fields: dict[str, str], *, now: dt.datetime) -> str:
    """The FPX code for what is wrong with a signature-valid AR, or "" when FPX would accept it."""
    if fields["fpx_msgToken"] != fpx.B2C_TOKEN:
        return "XM"
    if fields["fpx_sellerExId"] != settings.FPX_EXCHANGE_ID:
        return "XI"
    if fields["fpx_sellerId"] != settings.FPX_SELLER_ID:
        return "XS"
    if fields["fpx_sellerBankCode"] != settings.FPX_SELLER_BANK_CODE:
        return "SB"
    if fields["fpx_version"] != settings.FPX_VERSION:
        return "XE"
    for name in ("fpx_sellerExOrderNo", "fpx_sellerOrderNo"):
        if not fields[name] or len(fields[name]) > MAX_ORDER_NO_LENGTH:
            return "30"
    sent_at = (
        _local_time(fields["fpx_sellerTxnTime"]) if fpx.is_timestamp(fields["fpx_sellerTxnTime"]) else None
    )
    if sent_at is None:
        return "30"
    if abs(now - sent_at) > MAX_CLOCK_SKEW:
        return "XW"
    if fields["fpx_txnCurrency"] != fpx.CURRENCY:
        return "47"
    try:
        amount = fpx.parse_amount(fields["fpx_txnAmount"])
    except fpx.MessageError:
        return "13"
    if amount < fpx.MIN_AMOUNT:
        return "2A"
    if amount > fpx.MAX_AMOUNT:
        return "48"
    email = fields["fpx_buyerEmail"]
    if email and ("@" not in email or " " in email):
        return "DB"
    bank = next((bank for bank in simulator_banks() if bank.fpx_id == fields["fpx_buyerBankId"]), None)
    if bank is None:
        return "31"
    if not bank.online:
        return "BB"
    return ""


class ArRejected(Exception):
    """An AR the gateway will not process at all (no order can be trusted from it)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def simulator_receive_ar(*, data: Mapping, now=None) -> SimulatedTransaction:
    """Accept an AR. A signature-valid AR with a field error is completed at once with FPX's code.

    Raises ArRejected for a bad checksum, a malformed message or a duplicate exchange order number.
    """
    now = now or timezone.now()
    try:
        parsed = fpx.parse_message(data, "AR", keys.merchant_public_keys())
    except fpx.MessageError as exc:
        raise ArRejected("XE") from exc
    if not parsed.signature_valid:
        raise ArRejected("XC")
    fields = parsed.fields
    with transaction.atomic():
        existing = (
            SimulatedTransaction.objects.select_for_update()
            .filter(exchange_order_no=fields["fpx_sellerExOrderNo"])
            .first()
        )
        if existing is not None:
            if existing.request == fields and existing.step != SimulatedTransaction.Step.DONE:
                return existing  # the same AR posted again (reload, back button, double click)
            raise ArRejected("XO")
        code = ar_error(fields, now=now)
        if (
            not code
            and SimulatedTransaction.objects.filter(seller_order_no=fields["fpx_sellerOrderNo"]).exists()
        ):
            code = "45"
        txn = SimulatedTransaction.objects.create(
            token=secrets.token_urlsafe(24),
            exchange_order_no=fields["fpx_sellerExOrderNo"],
            seller_order_no=fields["fpx_sellerOrderNo"],
            request=fields,
            bank_id=fields["fpx_buyerBankId"],
            tac=f"{secrets.randbelow(1_000_000):06d}",
            created_at=now,
        )
    if code:
        txn = simulator_complete(txn=txn, code=code, now=now)
    return txn


def _fpx_txn_id(now: dt.datetime) -> str:
    return timezone.localtime(now).strftime("%y%m%d%H%M%S") + f"{secrets.randbelow(10_000):04d}"


def simulator_complete(
    *, txn: SimulatedTransaction, code: str, delivery: str = SimulatedTransaction.Delivery.NORMAL, now=None
) -> SimulatedTransaction:
    """Record the buyer's outcome at the bank, then (committed) send the direct AC as the switch says."""
    now = now or timezone.now()
    with transaction.atomic():
        txn = SimulatedTransaction.objects.select_for_update().get(pk=txn.pk)
        if txn.step == SimulatedTransaction.Step.DONE:
            return txn
        txn.outcome_code = code
        txn.delivery = delivery
        txn.step = SimulatedTransaction.Step.DONE
        txn.completed_at = now
        txn.fpx_txn_id = _fpx_txn_id(now)
        txn.fpx_txn_time = timezone.localtime(now).strftime("%Y%m%d%H%M%S")
        txn.debit_auth_no = f"{secrets.randbelow(100_000_000):08d}" if code == "00" else ""
        txn.full_clean()
        txn.save()
    simulator_dispatch_direct_ac(txn=txn)
    return txn


@transaction.atomic
def simulator_resolve(*, txn: SimulatedTransaction, code: str) -> SimulatedTransaction:
    """The bank settles a pending (09) transaction later; the portal learns it by AE or a resent AC."""
    txn = SimulatedTransaction.objects.select_for_update().get(pk=txn.pk)
    if txn.outcome_code != PENDING:
        return txn
    txn.outcome_code = code
    txn.debit_auth_no = f"{secrets.randbelow(100_000_000):08d}" if code == "00" else ""
    txn.direct_ac_acknowledged_at = None
    txn.save(update_fields=["outcome_code", "debit_auth_no", "direct_ac_acknowledged_at"])
    return txn


def build_ac(*, txn: SimulatedTransaction, code: str | None = None) -> dict[str, str]:
    """The signed AC for a transaction (its outcome, or `code` for an in-progress AE answer)."""
    request = txn.request
    code = code or txn.outcome_code
    approved = code == "00"
    bank = SimulatedBank.objects.filter(fpx_id=txn.bank_id).first()
    fields = {
        "fpx_msgType": "AC",
        "fpx_msgToken": request.get("fpx_msgToken", ""),
        "fpx_sellerExId": request.get("fpx_sellerExId", ""),
        "fpx_sellerId": request.get("fpx_sellerId", ""),
        "fpx_sellerExOrderNo": request.get("fpx_sellerExOrderNo", ""),
        "fpx_sellerOrderNo": request.get("fpx_sellerOrderNo", ""),
        "fpx_sellerTxnTime": request.get("fpx_sellerTxnTime", ""),
        "fpx_txnAmount": request.get("fpx_txnAmount", ""),
        "fpx_txnCurrency": request.get("fpx_txnCurrency", ""),
        "fpx_fpxTxnId": txn.fpx_txn_id,
        "fpx_fpxTxnTime": txn.fpx_txn_time,
        "fpx_buyerBankId": txn.bank_id,
        "fpx_buyerBankBranch": (bank.name.upper() if bank else txn.bank_id)[:40],
        "fpx_buyerName": request.get("fpx_buyerName", "") or txn.buyer_username.upper(),
        "fpx_buyerId": "",
        "fpx_buyerIban": "",
        "fpx_makerName": "FPX Simulator",
        "fpx_debitAuthCode": code,
        "fpx_debitAuthNo": txn.debit_auth_no if approved else "",
        "fpx_creditAuthCode": "00" if approved else code,
        "fpx_creditAuthNo": "9999999999" if approved else "",
    }
    return fpx.sign_message(fields, "AC", keys.gateway_private_key())


def simulator_dispatch_direct_ac(*, txn: SimulatedTransaction) -> None:
    """Send the direct AC per the delivery switch and FPX_SIMULATOR_DIRECT_AC_MODE (after commit)."""
    Delivery = SimulatedTransaction.Delivery
    if txn.delivery == Delivery.DROP:
        return
    copies = 2 if txn.delivery == Delivery.DUPLICATE else 1
    delay = settings.FPX_SIMULATOR_DELAY_SECONDS if txn.delivery == Delivery.DELAY else 0
    mode = settings.FPX_SIMULATOR_DIRECT_AC_MODE
    txn_id = txn.pk
    if mode == "inline":
        if not delay:  # a delayed AC waits for "Send the direct AC now" on the simulator's console
            for _copy in range(copies):
                simulator_send_direct_ac(txn_id=txn_id, attempts=INLINE_ATTEMPTS)
        return
    if mode == "thread":
        thread = threading.Thread(
            target=_send_in_thread, kwargs={"txn_id": txn_id, "copies": copies, "delay": delay}, daemon=True
        )
        transaction.on_commit(thread.start)
        return
    from payments.tasks import send_simulated_direct_ac

    for _copy in range(copies):
        transaction.on_commit(lambda: send_simulated_direct_ac.apply_async((txn_id,), countdown=delay))


def _send_in_thread(*, txn_id: int, copies: int, delay: int) -> None:
    try:
        time.sleep(delay)
        for _copy in range(copies):
            for pause in THREAD_BACKOFF:
                time.sleep(pause)
                if simulator_send_direct_ac(txn_id=txn_id):
                    break
    finally:
        connection.close()


def simulator_send_direct_ac(*, txn_id: int, attempts: int = 1) -> bool:
    """POST the direct AC to the merchant's direct URL until it answers `OK` (at most `attempts` times)."""
    txn = SimulatedTransaction.objects.get(pk=txn_id)
    ac = build_ac(txn=txn)
    for _attempt in range(attempts):
        SimulatedTransaction.objects.filter(pk=txn_id).update(direct_ac_attempts=F("direct_ac_attempts") + 1)
        try:
            body = gateway.post_form(settings.FPX_DIRECT_AC_URL, ac)
        except gateway.GatewayUnavailable as exc:
            logger.info("simulator: direct AC for %s not delivered: %s", txn.exchange_order_no, exc)
            continue
        if body.strip() == "OK":
            SimulatedTransaction.objects.filter(pk=txn_id).update(direct_ac_acknowledged_at=timezone.now())
            return True
        logger.info("simulator: direct AC for %s answered %r", txn.exchange_order_no, body[:40])
    return False


def simulator_answer_ae(*, data: Mapping, now=None) -> str:
    """The NVP reply to an AE: the stored outcome, 09 while the buyer is still at the bank, or 76."""
    now = now or timezone.now()
    try:
        parsed = fpx.parse_message(data, "AE", keys.merchant_public_keys())
    except fpx.MessageError:
        return "ERROR"
    if not parsed.signature_valid or parsed.fields["fpx_sellerExId"] != settings.FPX_EXCHANGE_ID:
        return "ERROR"
    txn = SimulatedTransaction.objects.filter(exchange_order_no=parsed.fields["fpx_sellerExOrderNo"]).first()
    if txn is None:
        unknown = SimulatedTransaction(request=parsed.fields, bank_id=parsed.fields["fpx_buyerBankId"])
        return fpx.encode_nvp(build_ac(txn=unknown, code="76"))
    if txn.step != SimulatedTransaction.Step.DONE:
        if now - txn.created_at > dt.timedelta(minutes=SESSION_MINUTES):
            txn = simulator_complete(
                txn=txn, code=TIMED_OUT, delivery=SimulatedTransaction.Delivery.DROP, now=now
            )
        else:
            return fpx.encode_nvp(build_ac(txn=txn, code=PENDING))
    return fpx.encode_nvp(build_ac(txn=txn))


def simulator_answer_be(*, data: Mapping) -> str:
    """The NVP reply to a BE: the signed BC with every bank and whether it is online (A) or not (B)."""
    try:
        parsed = fpx.parse_message(data, "BE", keys.merchant_public_keys())
    except fpx.MessageError:
        return "ERROR"
    if not parsed.signature_valid or parsed.fields["fpx_sellerExId"] != settings.FPX_EXCHANGE_ID:
        return "ERROR"
    bank_list = fpx.format_bank_list((bank.fpx_id, "A" if bank.online else "B") for bank in simulator_banks())
    bc = {
        "fpx_msgType": "BC",
        "fpx_msgToken": parsed.fields["fpx_msgToken"],
        "fpx_sellerExId": parsed.fields["fpx_sellerExId"],
        "fpx_bankList": bank_list,
    }
    return fpx.encode_nvp(fpx.sign_message(bc, "BC", keys.gateway_private_key()))
