"""State of the simulated FPX gateway and its banks. Used only when FPX_SIMULATOR_ENABLED is on."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SimulatedBank(models.Model):
    """A bank as the simulated gateway lists it in its BC message; the tester can take it offline."""

    fpx_id = models.CharField(_("FPX bank id"), max_length=20, unique=True)
    name = models.CharField(_("display name"), max_length=80)
    online = models.BooleanField(_("online"), default=True)

    class Meta:
        app_label = "payments"
        verbose_name = _("simulated bank")
        verbose_name_plural = _("simulated banks")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SimulatedTransaction(models.Model):
    """One AR the simulated gateway accepted, the buyer's progress at the fake bank, and the outcome."""

    class Step(models.TextChoices):
        LOGIN = "login", _("Log in")
        TAC = "tac", _("TAC")
        CONFIRM = "confirm", _("Confirm")
        DONE = "done", _("Done")

    class Delivery(models.TextChoices):
        NORMAL = "normal", _("Send the direct AC at once")
        DELAY = "delay", _("Delay the direct AC")
        DROP = "drop", _("Drop the direct AC")
        DUPLICATE = "duplicate", _("Send the direct AC twice")

    token = models.CharField(max_length=48, unique=True)
    exchange_order_no = models.CharField(_("seller exchange order no."), max_length=200, unique=True)
    seller_order_no = models.CharField(_("seller order no."), max_length=200)
    request = models.JSONField(_("authorisation request"), default=dict)
    bank_id = models.CharField(_("bank"), max_length=20)
    step = models.CharField(_("step"), max_length=8, choices=Step.choices, default=Step.LOGIN)
    tac = models.CharField(_("TAC"), max_length=6, blank=True)
    buyer_username = models.CharField(_("user name"), max_length=60, blank=True)
    outcome_code = models.CharField(_("outcome"), max_length=2, blank=True)
    delivery = models.CharField(
        _("direct AC delivery"), max_length=10, choices=Delivery.choices, default=Delivery.NORMAL
    )
    fpx_txn_id = models.CharField(_("FPX transaction ID"), max_length=16, blank=True)
    fpx_txn_time = models.CharField(_("FPX transaction time"), max_length=14, blank=True)
    debit_auth_no = models.CharField(_("debit approval no."), max_length=20, blank=True)
    direct_ac_attempts = models.PositiveIntegerField(_("direct AC attempts"), default=0)
    direct_ac_acknowledged_at = models.DateTimeField(_("direct AC acknowledged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        app_label = "payments"
        verbose_name = _("simulated FPX transaction")
        verbose_name_plural = _("simulated FPX transactions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(step="done", completed_at__isnull=False) | ~Q(step="done"),
                name="simulated_txn_done_has_time",
            ),
        ]

    def __str__(self):
        return self.exchange_order_no
