from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts import ic as ic_numbers


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, ic_number, password=None, **extra):
        ic_number = ic_numbers.normalise(ic_number)
        extra["email"] = self.normalize_email(extra.get("email", "")).lower()
        user = self.model(ic_number=ic_number, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, ic_number, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_active", True)
        return self.create_user(ic_number, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A MATRIX account: a self-employed person or a member of staff, identified by MyKad number."""

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        MALAY = "ms", "Bahasa Malaysia"
        CHINESE = "zh-hans", "中文"

    ic_number = models.CharField(_("IC number"), max_length=12, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("e-mail address"), max_length=254)
    mobile = PhoneNumberField(_("mobile phone number"), null=True, blank=True)
    secret_phrase = models.CharField(_("secret phrase"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    self_employed_code = models.CharField(
        _("self-employed code"), max_length=12, null=True, blank=True, unique=True
    )
    is_active = models.BooleanField(_("active"), default=False)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "ic_number"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name", "email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.UniqueConstraint(
                fields=["mobile"], condition=Q(mobile__isnull=False), name="user_mobile_unique"
            ),
            models.CheckConstraint(
                condition=Q(ic_number__regex=r"^[0-9]{12}$"), name="user_ic_twelve_digits"
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({ic_numbers.masked(self.ic_number)})"

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name

    @property
    def ic_masked(self):
        return ic_numbers.masked(self.ic_number)
