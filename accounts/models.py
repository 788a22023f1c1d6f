import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import CooldownMixin, SideChannelDevice, ThrottlingMixin
from django_otp.util import random_number_token
from phonenumber_field.modelfields import PhoneNumberField

from accounts import conf
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


class SignupRequest(models.Model):
    """What a person typed on the sign-up form, kept until the SMS code proves the mobile number is theirs.

    The account itself is created only after that proof, so a half-finished sign-up never blocks the IC,
    e-mail or mobile number of the person who really owns them.
    """

    ic_number = models.CharField(_("IC number"), max_length=12)
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("e-mail address"), max_length=254)
    mobile = PhoneNumberField(_("mobile phone number"))
    language = models.CharField(_("language"), max_length=8, choices=User.Language.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    user = models.ForeignKey(
        User, verbose_name=_("account"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("sign-up request")
        verbose_name_plural = _("sign-up requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(ic_number__regex=r"^[0-9]{12}$"), name="signup_ic_twelve_digits"
            ),
        ]

    def __str__(self):
        return f"{ic_numbers.masked(self.ic_number)} {self.created_at:%Y-%m-%d %H:%M}"


class SmsDevice(ThrottlingMixin, CooldownMixin, SideChannelDevice):
    """A django-otp side-channel device for one mobile number and one purpose.

    Differences from django-otp's own side-channel devices: the code is stored as an HMAC, never in plain
    text; a code is bound to its purpose (and, for sign-up, to the sign-up request it was sent for); five
    wrong tries end the code. Sign-up devices belong to no account yet, so `user` is optional here.
    A staff log-in device is confirmed: the session it verifies counts as verified for django-otp.
    """

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("sign-up")
        CHANGE_MOBILE = "change_mobile", _("change of mobile number")
        STAFF_LOGIN = "staff_login", _("staff log-in second factor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty for sign-up codes: the account does not exist yet."),
    )
    token = models.CharField(_("code (HMAC)"), max_length=64, null=True, blank=True)
    phone = PhoneNumberField(_("mobile phone number"))
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    signup = models.ForeignKey(
        SignupRequest, verbose_name=_("sign-up request"), null=True, blank=True, on_delete=models.SET_NULL
    )
    wrong_tries = models.PositiveSmallIntegerField(_("wrong tries on the current code"), default=0)

    class Meta(SideChannelDevice.Meta):
        verbose_name = _("SMS code device")
        verbose_name_plural = _("SMS code devices")
        constraints = [
            models.UniqueConstraint(
                fields=["phone", "purpose"],
                condition=Q(user__isnull=True),
                name="smsdevice_one_per_phone_signup",
            ),
            models.UniqueConstraint(
                fields=["phone", "purpose", "user"],
                condition=Q(user__isnull=False),
                name="smsdevice_one_per_phone_user",
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=["signup", "change_mobile", "staff_login"]),
                name="smsdevice_purpose_valid",
            ),
            models.CheckConstraint(
                condition=Q(purpose="signup", user__isnull=True)
                | Q(purpose__in=["change_mobile", "staff_login"], user__isnull=False),
                name="smsdevice_owner_matches_purpose",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.phone}"

    def get_throttle_factor(self):
        return conf.get("OTP_SMS_THROTTLE_FACTOR")

    def get_cooldown_duration(self):
        return conf.get("OTP_SMS_COOLDOWN_SECONDS")

    def generate_token(self, length=6, valid_secs=None, commit=True):
        """Set a fresh code; return it in clear once (for the SMS) while only its HMAC is stored."""
        valid_secs = valid_secs or conf.get("OTP_SMS_VALIDITY_SECONDS")
        code = random_number_token(length)
        self.token = self._digest(code)
        self.valid_until = timezone.now() + timedelta(seconds=valid_secs)
        self.wrong_tries = 0
        if commit:
            self.save()
        return code

    def verify_token(self, token):
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        token = str(token or "").strip()
        now = timezone.now()
        if (
            self.token is not None
            and self.valid_until is not None
            and now < self.valid_until
            and len(token) == 6
            and token.isascii()
            and token.isdigit()
            and hmac.compare_digest(self._digest(token), self.token)
        ):
            self.token = None
            self.valid_until = now
            self.wrong_tries = 0
            self.last_generated_timestamp = None
            self.throttle_reset(commit=False)
            self.save()
            return True
        if self.token is not None:
            self.wrong_tries += 1
            if self.wrong_tries >= conf.get("OTP_SMS_MAX_WRONG_TRIES"):
                self.token = None
        self.throttle_increment(commit=False)
        self.save()
        return False

    def _digest(self, code: str) -> str:
        key = f"accounts.SmsDevice:{self.purpose}:{self.phone}:{settings.SECRET_KEY}"
        return hmac.new(key.encode(), code.encode(), hashlib.sha256).hexdigest()


class SmsSendLog(models.Model):
    """One row per SMS code sent: the hourly caps per number and per IP address are counted here."""

    phone = PhoneNumberField(_("mobile phone number"), db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=SmsDevice.Purpose.choices)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("SMS code sent")
        verbose_name_plural = _("SMS codes sent")

    def __str__(self):
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M:%S}"


class EmailToken(models.Model):
    """A single-use link sent by e-mail: account activation, password reset or a new e-mail address.

    Only a SHA-256 digest of the token is stored; the token itself travels in the link only.
    """

    class Purpose(models.TextChoices):
        ACTIVATE = "activate", _("account activation")
        RESET_PASSWORD = "reset_password", _("password reset")
        CHANGE_EMAIL = "change_email", _("change of e-mail address")

    user = models.ForeignKey(User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    new_email = models.EmailField(_("new e-mail address"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail link")
        verbose_name_plural = _("e-mail links")
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=["activate", "reset_password", "change_email"]),
                name="emailtoken_purpose_valid",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="emailtoken_expires_later"
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class LoginEvent(models.Model):
    """A password log-in attempt on an existing account, for "Last Login Successful" and failed attempts."""

    user = models.ForeignKey(User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+")
    succeeded = models.BooleanField(_("succeeded"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("log-in attempt")
        verbose_name_plural = _("log-in attempts")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user_id} {'ok' if self.succeeded else 'failed'} {self.created_at:%Y-%m-%d %H:%M:%S}"


class UserSession(models.Model):
    """The sessions an account is logged in with, so disabling it or resetting its password can end them."""

    user = models.ForeignKey(User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
