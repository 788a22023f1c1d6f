from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A copy of an SMS or e-mail sent in development, shown at /dev/outbox/."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=320)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=["sms", "email"]), name="outbox_channel_valid"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient}"


class AnnouncementQuerySet(models.QuerySet):
    def showing(self, *, now=None):
        now = now or timezone.now()
        return self.filter(is_published=True, show_from__lte=now, maintenance_end__gte=now)


class Announcement(models.Model):
    """A scheduled maintenance notice, shown on the log-in page from `show_from` until the work ends."""

    maintenance_start = models.DateTimeField(_("maintenance starts"))
    maintenance_end = models.DateTimeField(_("maintenance ends"))
    show_from = models.DateTimeField(_("show notice from"), default=timezone.now)
    is_published = models.BooleanField(_("published"), default=True)
    note = models.CharField(_("internal note"), max_length=200, blank=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("maintenance announcement")
        verbose_name_plural = _("maintenance announcements")
        ordering = ["maintenance_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(maintenance_end__gt=F("maintenance_start")), name="announcement_end_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.maintenance_start:%Y-%m-%d %H:%M} – {self.maintenance_end:%Y-%m-%d %H:%M}"


class AuditImmutableError(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutableError("Audit events cannot be changed.")

    def delete(self):
        raise AuditImmutableError("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditImmutableError("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """One staff action: who, when, from which address, what, and the record before and after. Append-only."""

    class Action(models.TextChoices):
        STAFF_LOGIN = "staff.login", _("Staff log-in")
        STAFF_SECOND_FACTOR = "staff.second_factor", _("Staff second factor passed")
        REGISTRATION_APPROVED = "registration.approved", _("Registration approved")
        REGISTRATION_REJECTED = "registration.rejected", _("Registration rejected")
        CASH_PAYMENT_RECORDED = "payment.cash_recorded", _("Cash payment recorded")
        RECEIPT_VOIDED = "receipt.voided", _("Receipt voided")
        RECORD_ADDED = "record.added", _("Record added")
        RECORD_CHANGED = "record.changed", _("Record changed")
        RECORD_DELETED = "record.deleted", _("Record deleted")
        USER_ADDED = "user.added", _("User added")
        USER_CHANGED = "user.changed", _("User changed")
        USER_DELETED = "user.deleted", _("User deleted")
        USER_ROLES_CHANGED = "user.roles_changed", _("User roles changed")
        EXPORT = "export", _("Data exported")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Not limited to Action's choices, so other apps can add actions without a migration here.
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(_("record type"), max_length=100, blank=True)
    target_id = models.CharField(_("record id"), max_length=64, blank=True)
    target_repr = models.CharField(_("record"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("Audit events cannot be deleted.")

    @property
    def action_label(self) -> str:
        try:
            return str(self.Action(self.action).label)
        except ValueError:
            return self.action
