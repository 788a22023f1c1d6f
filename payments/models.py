from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matrix_portal.money import MoneyField


class Bank(models.Model):
    """An FPX retail bank. The status comes from the gateway's bank list (A online, B offline)."""

    class Status(models.TextChoices):
        ONLINE = "A", _("Online")
        OFFLINE = "B", _("Offline")

    fpx_id = models.CharField(_("FPX bank id"), max_length=20, unique=True)
    name = models.CharField(_("display name"), max_length=80)
    legal_name = models.CharField(_("legal name"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=1, choices=Status.choices, default=Status.ONLINE)
    is_listed = models.BooleanField(_("in the latest bank list"), default=True)
    status_updated_at = models.DateTimeField(_("status updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("FPX bank")
        verbose_name_plural = _("FPX banks")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Payment(models.Model):
    """One attempt to pay a contribution: online through FPX or in cash at a PERKESO counter."""

    class Method(models.TextChoices):
        FPX = "fpx", _("Portal MATRIX - FPX")
        CASH = "cash", _("Cash")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    contribution = models.ForeignKey(
        "contributions.Contribution",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("contribution"),
    )
    method = models.CharField(_("payment method"), max_length=8, choices=Method.choices)
    status = models.CharField(
        _("payment status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    amount = MoneyField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="MYR")
    seller_order_no = models.CharField(_("seller order no."), max_length=40, unique=True)
    exchange_order_no = models.CharField(_("seller exchange order no."), max_length=40, unique=True)
    seller_txn_time = models.CharField(_("seller transaction time"), max_length=14, blank=True)
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("bank"))
    fpx_txn_id = models.CharField(_("FPX transaction ID"), max_length=20, blank=True)
    debit_auth_code = models.CharField(_("debit authorisation code"), max_length=4, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=64, unique=True, null=True, blank=True
    )
    office = models.ForeignKey(
        "contributions.Office", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("office")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counter staff"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "paid", "failed"]), name="payment_status_valid"
            ),
            models.CheckConstraint(condition=Q(method__in=["fpx", "cash"]), name="payment_method_valid"),
            models.CheckConstraint(
                condition=Q(status="paid", paid_at__isnull=False) | ~Q(status="paid"),
                name="paid_payment_has_time",
            ),
            models.UniqueConstraint(
                fields=["contribution"], condition=Q(status="paid"), name="one_paid_payment_per_contribution"
            ),
            models.UniqueConstraint(
                fields=["contribution"],
                condition=Q(status="pending"),
                name="one_pending_payment_per_contribution",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_idx")]

    def __str__(self):
        return self.seller_order_no


class PaymentStatusChange(models.Model):
    """Append-only ledger of payment state changes."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=8, blank=True)
    to_status = models.CharField(_("to"), max_length=8)
    at = models.DateTimeField(_("at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment status change")
        verbose_name_plural = _("payment status changes")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class GatewayMessage(models.Model):
    """Every FPX message in and out, stored whether its signature verified or not."""

    class Direction(models.TextChoices):
        OUT = "out", _("Sent")
        IN = "in", _("Received")

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    msg_type = models.CharField(_("message type"), max_length=4)
    channel = models.CharField(_("channel"), max_length=12, blank=True)
    fields = models.JSONField(_("fields"), default=dict)
    signature_valid = models.BooleanField(_("signature valid"), null=True)
    exchange_order_no = models.CharField(_("seller exchange order no."), max_length=40, blank=True)
    note = models.CharField(_("outcome"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("gateway message")
        verbose_name_plural = _("gateway messages")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["exchange_order_no"], name="gatewaymessage_order_idx")]

    def __str__(self):
        return f"{self.msg_type} {self.direction}"


# The FPX simulator keeps its own state in the payments app (see payments/simulator/).
from payments.simulator.models import SimulatedBank, SimulatedTransaction  # noqa: E402, F401
