from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from matrix_portal.money import MoneyField


class LocalisedNameMixin(models.Model):
    """English, Malay and Chinese names; `name` gives the one for the active language."""

    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ms = models.CharField(_("name (Malay)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self):
        language = translation.get_language() or "en"
        if language.startswith("ms"):
            return self.name_ms
        if language.startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name_en


class Sector(LocalisedNameMixin):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    is_mandatory = models.BooleanField(_("mandatory"), default=False)
    mandatory_from = models.DateField(_("mandatory from"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["sort_order", "name_en"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_mandatory=False) | Q(mandatory_from__isnull=False),
                name="sector_mandatory_has_date",
            ),
        ]

    def __str__(self):
        return self.name_en


class SectorClass(LocalisedNameMixin):
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="classes", verbose_name=_("sector")
    )
    code = models.SlugField(_("code"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sector class")
        verbose_name_plural = _("sector classes")
        ordering = ["sector", "sort_order", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["sector", "code"], name="sector_class_code_unique"),
        ]

    def __str__(self):
        return f"{self.sector.name_en} – {self.name_en}"


class Plan(models.Model):
    number = models.PositiveSmallIntegerField(_("plan"), unique=True)
    insured_monthly_earning = MoneyField(_("insured monthly earning"))
    monthly_amount = MoneyField(_("monthly contribution"))
    yearly_amount = MoneyField(_("one year contribution"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("contribution plan")
        verbose_name_plural = _("contribution plans")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(insured_monthly_earning__gt=0) & Q(monthly_amount__gt=0) & Q(yearly_amount__gt=0),
                name="plan_amounts_positive",
            ),
        ]

    def __str__(self):
        return f"Plan {self.number}: RM {self.yearly_amount}"


class State(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("state")
        verbose_name_plural = _("states")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def accepts_postcode(self, postcode: str) -> bool:
        if not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
            return False
        value = int(postcode)
        return any(r.first <= value <= r.last for r in self.postcode_ranges.all())


class PostcodeRange(models.Model):
    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="postcode_ranges")
    first = models.PositiveIntegerField(_("first postcode"))
    last = models.PositiveIntegerField(_("last postcode"))

    class Meta:
        verbose_name = _("postcode range")
        verbose_name_plural = _("postcode ranges")
        ordering = ["state", "first"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first__lte=F("last")) & Q(last__lte=99999), name="postcode_range_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.first:05d}–{self.last:05d}"


class Town(models.Model):
    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="towns", verbose_name=_("state"))
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["state", "name"]
        constraints = [models.UniqueConstraint(fields=["state", "name"], name="town_unique_per_state")]

    def __str__(self):
        return self.name


class Office(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="offices", verbose_name=_("state")
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("PERKESO office")
        verbose_name_plural = _("PERKESO offices")
        ordering = ["state__sort_order", "name"]

    def __str__(self):
        return self.name


class SectorRegistration(models.Model):
    """A person's registration in one sector, with the particulars of the seed's registration form."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("person"),
    )
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="+", verbose_name=_("sector"))
    sector_class = models.ForeignKey(
        SectorClass, on_delete=models.PROTECT, related_name="+", verbose_name=_("class")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    self_employed_status = models.CharField(_("status self-employed person"), max_length=40)
    nationality = models.CharField(_("nationality"), max_length=40)
    race = models.CharField(_("race"), max_length=40)
    gender = models.CharField(_("gender"), max_length=10)
    address_line1 = models.CharField(_("address line 1"), max_length=150)
    address_line2 = models.CharField(_("address line 2"), max_length=150, blank=True)
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+", verbose_name=_("state"))
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    postcode = models.CharField(_("post code"), max_length=5)
    house_phone = models.CharField(_("house phone number"), max_length=20, blank=True)
    mobile = models.CharField(_("mobile phone number"), max_length=20)
    email = models.EmailField(_("e-mail address"))
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("preferred PERKESO branch for services"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=40, blank=True)
    rejection_note = models.TextField(_("rejection note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by staff"),
    )

    class Meta:
        verbose_name = _("sector registration")
        verbose_name_plural = _("sector registrations")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "sector"],
                condition=~Q(status="rejected"),
                name="one_live_registration_per_sector",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "approved", "rejected"]),
                name="registration_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="registration_queue_idx")]

    def __str__(self):
        return f"{self.person_id} – {self.sector.name_en}"


class RegistrationDocument(models.Model):
    class Kind(models.TextChoices):
        IDENTITY_CARD = "ic", _("Identification Card")
        LICENCE = "licence", _("Certificate / Licence From Related Agency / SSM / Application Profile")
        OTHER = "other", _("Other Document")

    registration = models.ForeignKey(
        SectorRegistration, on_delete=models.PROTECT, related_name="documents", verbose_name=_("registration")
    )
    kind = models.CharField(_("document type"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("registration document")
        verbose_name_plural = _("registration documents")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "kind"], name="one_document_per_kind"),
            models.CheckConstraint(
                condition=Q(size__gt=0) & Q(size__lte=3 * 1024 * 1024), name="document_size"
            ),
        ]

    def __str__(self):
        return self.original_name


class Contribution(models.Model):
    """One contribution period of a sector registration: months paid for, and the coverage it buys."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")
        RENEWED = "renewed", _("Renewed")

    registration = models.ForeignKey(
        SectorRegistration,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("registration"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("person"),
    )
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="+", verbose_name=_("sector"))
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="+", verbose_name=_("contribution plan")
    )
    months = models.PositiveSmallIntegerField(_("number of contribution months"))
    amount = MoneyField(_("contribution amount"))
    status = models.CharField(
        _("contribution status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    is_renewal = models.BooleanField(_("renewal"), default=False)
    coverage_start = models.DateTimeField(_("start date time"), null=True, blank=True)
    coverage_end = models.DateTimeField(_("expiry date time"), null=True, blank=True)
    coverage_cancelled_at = models.DateTimeField(_("coverage cancelled at"), null=True, blank=True)
    plan_locked_from = models.DateTimeField(_("plan locked from"), null=True, blank=True)
    paid_at = models.DateTimeField(_("payment date time"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(months__gte=1) & Q(months__lte=12), name="contribution_months_1_12"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="contribution_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "active", "rejected", "expired", "renewed"]),
                name="contribution_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(coverage_start__isnull=True)
                | Q(coverage_end__isnull=True)
                | Q(coverage_end__gt=F("coverage_start")),
                name="coverage_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(status="submitted"),
                name="one_open_contribution_per_registration",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="contribution_person_idx"),
            models.Index(fields=["status", "coverage_end"], name="contribution_coverage_end_idx"),
        ]

    def __str__(self):
        return f"{self.sector.name_en} × {self.months}"


class ContributionStatusChange(models.Model):
    """Append-only history of every status change of a contribution."""

    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contribution status change")
        verbose_name_plural = _("contribution status changes")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"
