from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matrix_portal.money import MoneyField


class ReceiptCounter(models.Model):
    """The last receipt sequence number issued in a year; locked while a payment is confirmed."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last = models.PositiveBigIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


class Receipt(models.Model):
    """RESIT RASMI. Holds its own copy of everything it prints; never changed once issued."""

    payment = models.OneToOneField("payments.Payment", on_delete=models.PROTECT, related_name="receipt")
    number = models.CharField(_("receipt no."), max_length=14, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveBigIntegerField(_("sequence"))
    verification_token = models.CharField(_("verification token"), max_length=43, unique=True)
    ic_number = models.CharField(_("No. Kad Pengenalan"), max_length=12)
    self_employed_code = models.CharField(_("Kod Pengenalan Orang Berusaha Sendiri"), max_length=12)
    name = models.CharField(_("Nama"), max_length=150)
    sector_name_ms = models.CharField(_("sector (Malay)"), max_length=120)
    payment_method_label = models.CharField(_("Cara Bayaran"), max_length=150)
    plan_yearly_amount = MoneyField(_("Pelan Caruman"))
    months = models.PositiveSmallIntegerField(_("Tempoh Bulan Caruman"))
    amount = MoneyField(_("Amaun (RM)"))
    paid_at = models.DateTimeField(_("Tarikh Bayaran"))
    coverage_start = models.DateTimeField(_("coverage start"))
    coverage_end = models.DateTimeField(_("coverage end"))
    bank_name = models.CharField(_("Nama Bank"), max_length=80, blank=True)
    fpx_txn_id = models.CharField(_("No. Transaksi FPX"), max_length=20, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="receipts/", max_length=200, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("void reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="receipt_sequence_unique_per_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(
                condition=Q(coverage_end__gt=F("coverage_start")), name="receipt_coverage_ordered"
            ),
            models.CheckConstraint(
                condition=Q(months__gte=1) & Q(months__lte=12), name="receipt_months_1_12"
            ),
        ]

    def __str__(self):
        return self.number


class ReminderLog(models.Model):
    """Ledger of renewal reminders: one row per (contribution, notice), claimed before anything is sent.

    The unique constraint makes the claim the single point where a notice is decided; `sent_at` is set in
    the transaction that sends it (see receipts/services.py for the at-least-once choice after a crash).
    """

    class Notice(models.TextChoices):
        DAYS_7 = "7d", _("7 days before coverage ends")
        DAYS_1 = "1d", _("1 day before coverage ends")
        EXPIRED = "expired", _("the day after coverage ended")

    contribution = models.ForeignKey(
        "contributions.Contribution",
        on_delete=models.PROTECT,
        related_name="reminders",
        verbose_name=_("contribution"),
    )
    notice = models.CharField(_("notice"), max_length=8, choices=Notice.choices)
    coverage_end = models.DateTimeField(_("coverage end it refers to"))
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("SMS sent at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["contribution", "notice"], name="reminder_once_per_notice"),
            models.CheckConstraint(
                condition=Q(notice__in=["7d", "1d", "expired"]), name="reminder_notice_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["claimed_at"], condition=Q(sent_at__isnull=True), name="reminder_unsent_idx"
            ),
        ]

    def __str__(self):
        return f"{self.contribution_id} {self.notice}"
