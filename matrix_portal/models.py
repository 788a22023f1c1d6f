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
