"""Account writes: sign-up with an SMS code, activation, passwords, contact changes, sessions.

Every function is keyword-only and named <entity>_<action>. Domain failures raise ApplicationError with one of
the message constants below, which the views show as they are and the tests import.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

import django_otp
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from phonenumber_field.phonenumber import PhoneNumber

from accounts import conf, masking
from accounts import ic as ic_numbers
from accounts.backends import user_cache_forget
from accounts.models import EmailToken, LoginEvent, SignupRequest, SmsDevice, SmsSendLog, User, UserSession
from matrix_portal.errors import ApplicationError
from matrix_portal.sms import SmsError, send_sms

logger = logging.getLogger(__name__)

# SMS codes
CODE_COOLDOWN = _(
    "A code was sent less than a minute ago. You can ask for a new one when the countdown ends."
)
CODE_TOO_MANY_FOR_NUMBER = _(
    "Too many codes have been sent to this mobile number in the last hour. Please try again later."
)
CODE_TOO_MANY_FROM_HERE = _(
    "Too many codes have been requested from your connection. Please try again later."
)
CODE_WRONG = _("That code is not correct. Check the SMS and type the 6 digits again.")
CODE_EXPIRED = _("That code has expired or has already been used. Tap Resend OTP to get a new one.")
CODE_TOO_MANY_TRIES = _("Too many wrong codes. This code no longer works: tap Resend OTP to get a new one.")
CODE_WAIT = _("Too many wrong codes in a row. Wait a few seconds, then try again.")
CODE_SEND_FAILED = _("We could not send the SMS just now. Please try again in a few minutes.")
# Sign-up
SIGNUP_IC_TAKEN = _(
    "An account with this IC number already exists. Log in, or use Forgot Password if you cannot remember it."
)
SIGNUP_EMAIL_TAKEN = _("This e-mail address is already used by another MATRIX account. Use a different one.")
SIGNUP_MOBILE_TAKEN = _("This mobile number is already used by another MATRIX account. Use a different one.")
# Staff second factor
SECOND_FACTOR_MISSING = _(
    "Your staff account has no second factor: no mobile number and no authenticator app. Ask an "
    "administrator to add one before you can use the staff pages."
)
AUTHENTICATOR_WRONG = _(
    "That code is not correct. Type the 6 digits your authenticator app shows now (a code lasts 30 seconds)."
)
# E-mail links
LINK_INVALID = _(
    "This link is not valid: it may have been used already, replaced by a newer one, or it has expired."
)
# Account settings
WRONG_CURRENT_PASSWORD = _("Your current password is not correct.")
EMAIL_SAME = _("This is already your e-mail address.")
MOBILE_SAME = _("This is already your mobile number.")


@dataclass(frozen=True)
class CodeSent:
    device: SmsDevice
    sent: bool
    next_resend_at: datetime | None


# ---------------------------------------------------------------------------------------------------------
# SMS codes


def _code_sms_text(*, code: str, language: str, now: datetime) -> str:
    when = timezone.localtime(now).strftime("%d %b %Y %H:%M:%S")
    with translation.override(language):
        return str(
            _("RMO MX:MATRIX: Your OTP requested is %(code)s on %(when)s. Thank You")
            % {"code": code, "when": when}
        )


def _check_send_caps(*, phone: PhoneNumber, ip: str | None, now: datetime) -> None:
    hour_ago = now - timedelta(hours=1)
    recent = SmsSendLog.objects.filter(created_at__gt=hour_ago)
    if recent.filter(phone=phone).count() >= conf.get("OTP_SMS_MAX_PER_NUMBER_PER_HOUR"):
        raise ApplicationError(CODE_TOO_MANY_FOR_NUMBER, code="too_many_for_number")
    if ip and recent.filter(ip_address=ip).count() >= conf.get("OTP_SMS_MAX_PER_IP_PER_HOUR"):
        raise ApplicationError(CODE_TOO_MANY_FROM_HERE, code="too_many_from_ip")


def _code_issue(*, device: SmsDevice, ip: str | None, now: datetime) -> str | None:
    """On a locked device: a new code (returned in clear, for the SMS only), or None inside the cooldown."""
    allowed, _details = device.generate_is_allowed()
    if not allowed and device.token is not None and device.valid_until and device.valid_until > now:
        return None
    _check_send_caps(phone=device.phone, ip=ip, now=now)
    device.cooldown_set(commit=False)
    code = device.generate_token(commit=False)
    device.full_clean()
    device.save()
    SmsSendLog.objects.create(phone=device.phone, ip_address=ip, purpose=device.purpose, created_at=now)
    return code


def _code_deliver(*, device: SmsDevice, code: str, language: str, now: datetime) -> None:
    """Send the code; if the gateway refuses, lift the cooldown so the person can simply ask again."""
    try:
        send_sms(to=device.phone.as_e164, body=_code_sms_text(code=code, language=language, now=now))
    except SmsError as exc:
        logger.warning("SMS code not sent (device %s): %s", device.pk, exc)
        SmsDevice.objects.filter(pk=device.pk).update(last_generated_timestamp=None)
        raise ApplicationError(CODE_SEND_FAILED, code="send_failed") from exc


def _next_resend_at(device: SmsDevice) -> datetime | None:
    if device.last_generated_timestamp is None:
        return None
    return device.last_generated_timestamp + timedelta(seconds=device.get_cooldown_duration())


def _code_failure_message(device: SmsDevice, *, now: datetime):
    """Why a code was refused, read from the device after django_otp.verify_token said no."""
    device.refresh_from_db()
    if device.token is None and device.wrong_tries >= conf.get("OTP_SMS_MAX_WRONG_TRIES"):
        return CODE_TOO_MANY_TRIES
    if device.token is None or (device.valid_until and device.valid_until <= now):
        return CODE_EXPIRED
    return CODE_WRONG


def sms_code_verify(*, device: SmsDevice, user, token: str) -> None:
    """Check a code through django_otp.verify_token (row-locked, so a code is accepted once only)."""
    now = timezone.now()
    owner = user if user is not None else AnonymousUser()
    device.refresh_from_db()
    if device.token is not None and not device.verify_is_allowed()[0]:
        raise ApplicationError(CODE_WAIT, code="code_refused")
    if django_otp.verify_token(owner, device.persistent_id, token) is None:
        logger.info("SMS code refused (%s, device %s)", device.purpose, device.pk)
        raise ApplicationError(_code_failure_message(device, now=now), code="code_refused")
    logger.info("SMS code accepted (%s, device %s)", device.purpose, device.pk)


# ---------------------------------------------------------------------------------------------------------
# Staff second factor: an authenticator app (TOTP) when one is enrolled, else an SMS code to the account's
# registered mobile number, with the same cooldown, caps, expiry and five-try limit as every SMS code.


class SecondFactor:
    AUTHENTICATOR = "authenticator"
    SMS = "sms"


def staff_second_factor_method(*, user: User) -> str | None:
    """How this member of staff proves the second factor, or None when they have no way to."""
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        return SecondFactor.AUTHENTICATOR
    if user.mobile:
        return SecondFactor.SMS
    return None


def staff_login_device(*, user: User) -> SmsDevice | None:
    """The SMS device of the account's current mobile number (a new number gets a new device)."""
    if not user.mobile:
        return None
    return SmsDevice.objects.filter(
        user=user, purpose=SmsDevice.Purpose.STAFF_LOGIN, phone=user.mobile
    ).first()


def _staff_login_device_locked(*, user: User) -> SmsDevice:
    purpose = SmsDevice.Purpose.STAFF_LOGIN
    try:
        with transaction.atomic():
            SmsDevice.objects.get_or_create(
                user=user,
                purpose=purpose,
                phone=user.mobile,
                defaults={"name": "staff log-in", "confirmed": True},
            )
    except IntegrityError:
        pass
    return SmsDevice.objects.select_for_update().get(user=user, purpose=purpose, phone=user.mobile)


def staff_login_code_send(*, user: User, ip: str | None, resend: bool = False, now=None) -> CodeSent:
    """Send a log-in code to the staff member's mobile. The first send after the password sends nothing
    while a live code is inside its cooldown; a resend inside the cooldown is refused with CODE_COOLDOWN."""
    now = now or timezone.now()
    if not user.mobile:
        raise ApplicationError(SECOND_FACTOR_MISSING, code="no_second_factor")
    with transaction.atomic():
        device = _staff_login_device_locked(user=user)
        if resend and not device.generate_is_allowed()[0]:
            raise ApplicationError(
                CODE_COOLDOWN, code="cooldown", extra={"next_resend_at": _next_resend_at(device)}
            )
        code = _code_issue(device=device, ip=ip, now=now)
    if code:
        _code_deliver(device=device, code=code, language=user.language, now=now)
    return CodeSent(device=device, sent=bool(code), next_resend_at=_next_resend_at(device))


def staff_second_factor_start(*, user: User, ip: str | None) -> str | None:
    """Right after the password: send the SMS code when SMS is the method. Returns the method."""
    method = staff_second_factor_method(user=user)
    if method == SecondFactor.SMS:
        staff_login_code_send(user=user, ip=ip)
    return method


def staff_second_factor_verify(*, user: User, token: str) -> Device:
    """Check the code with the account's method; returns the device that accepted it (for otp_login)."""
    method = staff_second_factor_method(user=user)
    if method == SecondFactor.SMS:
        device = staff_login_device(user=user)
        if device is None:
            raise ApplicationError(CODE_EXPIRED, code="code_refused")
        sms_code_verify(device=device, user=user, token=token)
        return device
    if method == SecondFactor.AUTHENTICATOR:
        return _authenticator_verify(user=user, token=token)
    raise ApplicationError(SECOND_FACTOR_MISSING, code="no_second_factor")


def _authenticator_verify(*, user: User, token: str) -> Device:
    """django-otp's TOTP check (row-locked, throttled with a doubling wait after each wrong code)."""
    devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    if any(not device.verify_is_allowed()[0] for device in devices):
        raise ApplicationError(CODE_WAIT, code="code_refused")
    for device in devices:
        verified = django_otp.verify_token(user, device.persistent_id, token)
        if verified is not None:
            logger.info("authenticator code accepted (device %s)", device.pk)
            return verified
    logger.info("authenticator code refused (user %s)", user.pk)
    raise ApplicationError(AUTHENTICATOR_WRONG, code="code_refused")


# ---------------------------------------------------------------------------------------------------------
# Sign-up


def signup_start(
    *,
    ic_number: str,
    full_name: str,
    email: str,
    mobile: PhoneNumber,
    language: str,
    ip: str | None,
    now=None,
) -> tuple[SignupRequest, CodeSent]:
    """Keep what was typed and send an SMS code to the mobile number. Existing accounts are not checked
    here (that would tell anyone which IC numbers have accounts); they are checked once the code is in."""
    now = now or timezone.now()
    with transaction.atomic():
        signup = SignupRequest(
            ic_number=ic_number,
            full_name=full_name,
            email=email.strip(),
            mobile=mobile,
            language=language,
            created_at=now,
        )
        signup.full_clean()
        signup.save()
        device = _signup_device_locked(phone=mobile)
        device.signup = signup
        code = _code_issue(device=device, ip=ip, now=now)
        device.save()
    if code:
        _code_deliver(device=device, code=code, language=language, now=now)
    return signup, CodeSent(device=device, sent=bool(code), next_resend_at=_next_resend_at(device))


def _signup_device_locked(*, phone: PhoneNumber) -> SmsDevice:
    purpose = SmsDevice.Purpose.SIGNUP
    try:
        with transaction.atomic():
            device, _created = SmsDevice.objects.get_or_create(
                phone=phone, purpose=purpose, user=None, defaults={"name": "sign-up", "confirmed": False}
            )
    except IntegrityError:
        pass
    return SmsDevice.objects.select_for_update().get(phone=phone, purpose=purpose, user__isnull=True)


def signup_device(*, signup: SignupRequest) -> SmsDevice | None:
    return SmsDevice.objects.filter(
        phone=signup.mobile, purpose=SmsDevice.Purpose.SIGNUP, user__isnull=True, signup=signup
    ).first()


def signup_code_resend(*, signup: SignupRequest, ip: str | None, now=None) -> CodeSent:
    now = now or timezone.now()
    with transaction.atomic():
        device = _signup_device_locked(phone=signup.mobile)
        if device.signup_id != signup.pk:
            device.signup = signup
        allowed, _details = device.generate_is_allowed()
        if not allowed:
            device.save()
            raise ApplicationError(
                CODE_COOLDOWN, code="cooldown", extra={"next_resend_at": _next_resend_at(device)}
            )
        code = _code_issue(device=device, ip=ip, now=now)
    _code_deliver(device=device, code=code, language=signup.language, now=now)
    return CodeSent(device=device, sent=True, next_resend_at=_next_resend_at(device))


def signup_verify(*, signup: SignupRequest, token: str) -> User:
    """The code proves the mobile number; then the account is created (inactive) and the e-mail sent."""
    device = signup_device(signup=signup)
    if device is None or signup.completed_at is not None:
        raise ApplicationError(CODE_EXPIRED, code="code_refused")
    sms_code_verify(device=device, user=None, token=token)
    user = signup_complete(signup=signup)
    from accounts.tasks import send_activation

    send_activation.delay(user.pk)
    return user


def signup_conflicts(*, ic_number: str, email: str, mobile) -> dict[str, str]:
    """Which of the typed details already belong to an account: {field name: message}."""
    conflicts = {}
    if User.objects.filter(ic_number=ic_number).exists():
        conflicts["ic_number"] = SIGNUP_IC_TAKEN
    if User.objects.filter(email__iexact=email).exists():
        conflicts["email"] = SIGNUP_EMAIL_TAKEN
    if User.objects.filter(mobile=mobile).exists():
        conflicts["mobile"] = SIGNUP_MOBILE_TAKEN
    return conflicts


@transaction.atomic
def signup_complete(*, signup: SignupRequest, now=None) -> User:
    now = now or timezone.now()
    signup = SignupRequest.objects.select_for_update().get(pk=signup.pk)
    conflicts = signup_conflicts(ic_number=signup.ic_number, email=signup.email, mobile=signup.mobile)
    if conflicts:
        raise ApplicationError(
            next(iter(conflicts.values())), code="signup_conflict", extra={"fields": conflicts}
        )
    user = User(
        ic_number=signup.ic_number,
        full_name=signup.full_name,
        email=signup.email.lower(),
        mobile=signup.mobile,
        language=signup.language,
        is_active=False,
        date_joined=now,
    )
    user.set_unusable_password()
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ApplicationError(SIGNUP_IC_TAKEN, code="signup_conflict", extra={"fields": {}}) from exc
    signup.completed_at = now
    signup.user = user
    signup.save(update_fields=["completed_at", "user"])
    logger.info("account created for %s", ic_numbers.masked(user.ic_number))
    return user


# ---------------------------------------------------------------------------------------------------------
# E-mail links


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link_hours(purpose: str) -> int:
    return {
        EmailToken.Purpose.ACTIVATE: conf.get("ACTIVATION_LINK_HOURS"),
        EmailToken.Purpose.RESET_PASSWORD: conf.get("PASSWORD_RESET_LINK_HOURS"),
        EmailToken.Purpose.CHANGE_EMAIL: conf.get("EMAIL_CHANGE_LINK_HOURS"),
    }[purpose]


def email_token_create(*, user: User, purpose: str, new_email: str = "", now=None) -> str:
    """A new link replaces any unused one of the same purpose. Returns the token (stored as a digest)."""
    now = now or timezone.now()
    EmailToken.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
    token = secrets.token_hex(32)
    EmailToken.objects.create(
        user=user,
        purpose=purpose,
        token_digest=_digest(token),
        new_email=new_email,
        created_at=now,
        expires_at=now + timedelta(hours=_link_hours(purpose)),
    )
    return token


def email_token_get(*, token: str, purpose: str, now=None, lock: bool = False) -> EmailToken:
    now = now or timezone.now()
    queryset = EmailToken.objects.select_related("user")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    found = queryset.filter(
        token_digest=_digest(token or ""), purpose=purpose, used_at__isnull=True, expires_at__gt=now
    ).first()
    if found is None:
        raise ApplicationError(LINK_INVALID, code="link_invalid")
    return found


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send_mail(*, to: str, subject: str, template: str, context: dict, language: str) -> None:
    with translation.override(language):
        body = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        message = EmailMultiAlternatives(subject=str(subject), body=body, to=[to])
        message.attach_alternative(html, "text/html")
        message.send()


def activation_link_send(*, user: User, now=None) -> None:
    now = now or timezone.now()
    token = email_token_create(user=user, purpose=EmailToken.Purpose.ACTIVATE, now=now)
    link = _absolute(reverse("accounts:activate", args=[token]))
    context = {
        "ic_masked": masking.ic(user.ic_number),
        "email_masked": masking.email(user.email),
        "mobile_masked": masking.mobile(user.mobile),
        "link": link,
        "sent_at": now,
        "hours": _link_hours(EmailToken.Purpose.ACTIVATE),
    }
    _send_mail(
        to=user.email,
        subject="Pengaktifan Akaun Sistem Online PERKESO / PERKESO Online System Account Activation",
        template="accounts/email/activation",
        context=context,
        language=user.language,
    )


def activation_link_send_for(*, user_id: int) -> None:
    user = User.objects.filter(pk=user_id, activated_at__isnull=True).first()
    if user is not None:
        activation_link_send(user=user)


@transaction.atomic
def account_activate(*, token: str, secret_phrase: str, password: str, now=None) -> User:
    now = now or timezone.now()
    link = email_token_get(token=token, purpose=EmailToken.Purpose.ACTIVATE, now=now, lock=True)
    user = User.objects.select_for_update().get(pk=link.user_id)
    user.secret_phrase = secret_phrase
    user.set_password(password)
    user.is_active = True
    user.activated_at = now
    user.full_clean()
    user.save()
    link.used_at = now
    link.save(update_fields=["used_at"])
    logger.info("account activated for %s", ic_numbers.masked(user.ic_number))
    return user


def password_reset_request(*, ic_number: str) -> None:
    """Queues the e-mail for an account with this IC, if there is one. Says nothing back either way."""
    from accounts.tasks import send_password_help

    user_id = User.objects.filter(ic_number=ic_number).values_list("pk", flat=True).first()
    if user_id is not None:
        send_password_help.delay(user_id)


def password_help_send(*, user_id: int, now=None) -> None:
    """A reset link for an active account, a new activation link for one never activated, else nothing."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    if user.activated_at is None and not user.has_usable_password():
        activation_link_send(user=user, now=now)
        return
    if not user.is_active:
        return
    now = now or timezone.now()
    token = email_token_create(user=user, purpose=EmailToken.Purpose.RESET_PASSWORD, now=now)
    _send_mail(
        to=user.email,
        subject=_("MATRIX: reset your password"),
        template="accounts/email/password_reset",
        context={
            "user": user,
            "link": _absolute(reverse("accounts:reset_password", args=[token])),
            "hours": _link_hours(EmailToken.Purpose.RESET_PASSWORD),
        },
        language=user.language,
    )


@transaction.atomic
def password_reset_complete(*, token: str, password: str, now=None) -> User:
    now = now or timezone.now()
    link = email_token_get(token=token, purpose=EmailToken.Purpose.RESET_PASSWORD, now=now, lock=True)
    user = User.objects.select_for_update().get(pk=link.user_id)
    user.set_password(password)
    user.save(update_fields=["password"])
    link.used_at = now
    link.save(update_fields=["used_at"])
    user_sessions_end(user=user)
    _notify_change_later(user=user, what=_("password"))
    return user


# ---------------------------------------------------------------------------------------------------------
# Log-in records and sessions


def login_event_record(*, user: User, succeeded: bool, ip: str | None, now=None) -> LoginEvent:
    return LoginEvent.objects.create(
        user=user, succeeded=succeeded, ip_address=ip, created_at=now or timezone.now()
    )


def user_session_record(*, user: User, session_key: str) -> None:
    UserSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


def user_session_forget(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def user_sessions_end(*, user: User, keep: str | None = None) -> int:
    """Deletes the account's sessions on the server (all of them, or all but `keep`)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    ended = 0
    for row in rows:
        store(session_key=row.session_key).delete()
        ended += 1
    rows.delete()
    return ended


@transaction.atomic
def user_disable(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)
    user_cache_forget(user_id=user.pk)  # a bulk update sends no post_save
    user.is_active = False
    user_sessions_end(user=user)


# ---------------------------------------------------------------------------------------------------------
# Account settings (each needs the current password; the old contact is told)


def _check_password(user: User, current_password: str) -> None:
    if not user.check_password(current_password or ""):
        raise ApplicationError(WRONG_CURRENT_PASSWORD, code="wrong_password")


def _notify_change_later(*, user: User, what, email: str | None = None) -> None:
    """Tell the owner once the change is committed; a mail server failure never undoes the change."""
    transaction.on_commit(lambda: _notify_change(user=user, what=what, email=email), robust=True)


def _notify_change(*, user: User, what, email: str | None = None) -> None:
    _send_mail(
        to=email or user.email,
        subject=_("MATRIX: your account was changed"),
        template="accounts/email/changed",
        context={"user": user, "what": what, "at": timezone.now(), "hotline": settings.PORTAL_HOTLINE},
        language=user.language,
    )


@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    user.language = language
    user.full_clean()
    user.save(update_fields=["language"])


@transaction.atomic
def user_password_change(
    *, user: User, current_password: str, new_password: str, keep_session: str | None
) -> None:
    _check_password(user, current_password)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user_sessions_end(user=user, keep=keep_session)
    _notify_change_later(user=user, what=_("password"))


@transaction.atomic
def user_secret_phrase_change(*, user: User, current_password: str, secret_phrase: str) -> None:
    _check_password(user, current_password)
    user.secret_phrase = secret_phrase
    user.full_clean()
    user.save(update_fields=["secret_phrase"])
    _notify_change_later(user=user, what=_("secret phrase"))


def user_mobile_change_start(
    *, user: User, current_password: str, mobile: PhoneNumber, ip: str | None
) -> CodeSent:
    _check_password(user, current_password)
    if user.mobile == mobile:
        raise ApplicationError(MOBILE_SAME, code="same")
    if User.objects.filter(mobile=mobile).exclude(pk=user.pk).exists():
        raise ApplicationError(SIGNUP_MOBILE_TAKEN, code="taken")
    now = timezone.now()
    with transaction.atomic():
        device, _created = SmsDevice.objects.select_for_update().get_or_create(
            phone=mobile,
            purpose=SmsDevice.Purpose.CHANGE_MOBILE,
            user=user,
            defaults={"name": "change mobile", "confirmed": False},
        )
        code = _code_issue(device=device, ip=ip, now=now)
    if code:
        _code_deliver(device=device, code=code, language=user.language, now=now)
    return CodeSent(device=device, sent=bool(code), next_resend_at=_next_resend_at(device))


def user_mobile_change_resend(*, user: User, device_id: int, ip: str | None) -> CodeSent:
    now = timezone.now()
    with transaction.atomic():
        device = SmsDevice.objects.select_for_update().get(
            pk=device_id, user=user, purpose=SmsDevice.Purpose.CHANGE_MOBILE
        )
        allowed, _details = device.generate_is_allowed()
        if not allowed:
            raise ApplicationError(
                CODE_COOLDOWN, code="cooldown", extra={"next_resend_at": _next_resend_at(device)}
            )
        code = _code_issue(device=device, ip=ip, now=now)
    _code_deliver(device=device, code=code, language=user.language, now=now)
    return CodeSent(device=device, sent=True, next_resend_at=_next_resend_at(device))


def user_mobile_change_verify(*, user: User, device_id: int, token: str) -> None:
    device = SmsDevice.objects.filter(
        pk=device_id, user=user, purpose=SmsDevice.Purpose.CHANGE_MOBILE
    ).first()
    if device is None:
        raise ApplicationError(CODE_EXPIRED, code="code_refused")
    sms_code_verify(device=device, user=user, token=token)
    old_mobile = user.mobile
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if User.objects.filter(mobile=device.phone).exclude(pk=user.pk).exists():
            raise ApplicationError(SIGNUP_MOBILE_TAKEN, code="taken")
        locked.mobile = device.phone
        locked.save(update_fields=["mobile"])
    user.mobile = device.phone
    _notify_change_later(user=user, what=_("mobile phone number"))
    if old_mobile:
        with translation.override(user.language):
            body = str(
                _(
                    "RMO MX:MATRIX: The mobile number of your MATRIX account was changed on %(when)s. "
                    "If this was not you, call %(hotline)s."
                )
                % {
                    "when": timezone.localtime().strftime("%d %b %Y %H:%M:%S"),
                    "hotline": settings.PORTAL_HOTLINE,
                }
            )
        send_sms(to=old_mobile.as_e164, body=body)


def user_email_change_start(*, user: User, current_password: str, email: str) -> None:
    _check_password(user, current_password)
    email = email.strip().lower()
    if email == user.email.lower():
        raise ApplicationError(EMAIL_SAME, code="same")
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ApplicationError(SIGNUP_EMAIL_TAKEN, code="taken")
    token = email_token_create(user=user, purpose=EmailToken.Purpose.CHANGE_EMAIL, new_email=email)
    _send_mail(
        to=email,
        subject=_("MATRIX: confirm your new e-mail address"),
        template="accounts/email/confirm_email",
        context={
            "user": user,
            "link": _absolute(reverse("accounts:confirm_email", args=[token])),
            "hours": _link_hours(EmailToken.Purpose.CHANGE_EMAIL),
        },
        language=user.language,
    )


@transaction.atomic
def user_email_change_confirm(*, token: str, now=None) -> User:
    now = now or timezone.now()
    link = email_token_get(token=token, purpose=EmailToken.Purpose.CHANGE_EMAIL, now=now, lock=True)
    user = User.objects.select_for_update().get(pk=link.user_id)
    if User.objects.filter(email__iexact=link.new_email).exclude(pk=user.pk).exists():
        raise ApplicationError(SIGNUP_EMAIL_TAKEN, code="taken")
    old_email = user.email
    user.email = link.new_email
    user.full_clean()
    user.save(update_fields=["email"])
    link.used_at = now
    link.save(update_fields=["used_at"])
    _notify_change_later(user=user, what=_("e-mail address"), email=old_email)
    return user


# ---------------------------------------------------------------------------------------------------------
# Housekeeping


@transaction.atomic
def account_records_purge(*, now=None) -> dict[str, int]:
    """Delete what is no longer needed: unfinished sign-ups after 7 days (they hold personal details),
    SMS send counts after 2 days, spent or expired e-mail links after 30 days."""
    now = now or timezone.now()
    deleted = {
        "signup_requests": SignupRequest.objects.filter(
            completed_at__isnull=True, created_at__lt=now - timedelta(days=7)
        ).delete()[0],
        "sms_send_log": SmsSendLog.objects.filter(created_at__lt=now - timedelta(days=2)).delete()[0],
        "email_tokens": EmailToken.objects.filter(expires_at__lt=now - timedelta(days=30)).delete()[0],
    }
    SmsDevice.objects.filter(
        purpose=SmsDevice.Purpose.SIGNUP, signup__isnull=True, token__isnull=True
    ).delete()
    return deleted
