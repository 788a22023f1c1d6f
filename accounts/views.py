"""Account pages: sign-up, SMS code, activation, two-step log-in, password reset, mode, settings, staff."""

import datetime as dt
import logging

import django_otp
from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import conf, forms, robot, selectors, services
from accounts.models import EmailToken, SignupRequest, SmsDevice, User
from accounts.roles import needs_second_factor
from matrix_portal.audit import audit_record
from matrix_portal.errors import ApplicationError
from matrix_portal.models import Announcement, AuditEvent

logger = logging.getLogger(__name__)

SESSION_SIGNUP = "accounts_signup_id"
SESSION_SIGNUP_CONFLICT = "accounts_signup_conflict"
SESSION_LOGIN_IC = "accounts_login_ic"
SESSION_LOGIN_NEXT = "accounts_login_next"
SESSION_LAST_LOGIN = "accounts_last_login"
SESSION_FAILED_SINCE = "accounts_failed_since"
SESSION_MOBILE_DEVICE = "accounts_mobile_device"

LOGIN_FAILED = _("The IC number or password is not correct. Please try again.")
TOO_MANY_REQUESTS = _("Too many requests from your connection. Please wait a few minutes and try again.")


def client_ip(request) -> str | None:
    """The address axes uses too (REMOTE_ADDR unless a trusted proxy count is configured)."""
    return get_client_ip_address(request)


def _over_limit(request, *, scope: str, limit: int, window: int) -> bool:
    key = f"accounts:rate:{scope}:{client_ip(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def _too_many(request):
    return render(request, "accounts/too_many.html", {"message": TOO_MANY_REQUESTS}, status=429)


def _safe_next(request, value: str | None) -> str | None:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def _seconds_until(moment) -> int:
    if moment is None:
        return 0
    return max(0, int((moment - timezone.now()).total_seconds() + 0.999))


# ---------------------------------------------------------------------------------------------------------
# Sign-up


@never_cache
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:mode")
    if request.method == "POST":
        form = forms.SignupForm(request.POST)
        if (
            form.is_valid()
            and form.without_robot_check
            and not robot.no_js_budget_take(ip=client_ip(request))
        ):
            form.add_error("robot", robot.NO_JS_BUDGET_SPENT)
        if form.is_valid():
            data = form.cleaned_data
            try:
                signup_request, sent = services.signup_start(
                    ic_number=data["ic_number"],
                    full_name=data["full_name"],
                    email=data["email"],
                    mobile=data["mobile"],
                    language=get_language() if get_language() in dict(User.Language.choices) else "en",
                    ip=client_ip(request),
                )
            except ApplicationError as error:
                form.add_error("mobile", error.message)
            else:
                request.session[SESSION_SIGNUP] = signup_request.pk
                if not sent.sent:
                    messages.info(request, services.CODE_COOLDOWN)
                return redirect("accounts:signup_otp")
    else:
        form = _signup_form_after_conflict(request)
    return render(request, "accounts/signup.html", {"form": form})


def _signup_form_after_conflict(request):
    """After the SMS code, details that belong to another account come back here with a message each."""
    conflict = request.session.pop(SESSION_SIGNUP_CONFLICT, None)
    if not conflict:
        return forms.SignupForm()
    form = forms.SignupForm(data={**conflict["data"], "agree_terms": "on"})
    form.is_valid()
    form.errors.pop("robot", None)
    for field, message in conflict["errors"].items():
        form.add_error(field, str(message))
    return form


def _current_signup(request) -> SignupRequest | None:
    pk = request.session.get(SESSION_SIGNUP)
    if not pk:
        return None
    return SignupRequest.objects.filter(pk=pk, completed_at__isnull=True).first()


@never_cache
def signup_otp(request):
    signup_request = _current_signup(request)
    if signup_request is None:
        return redirect("accounts:signup")
    form = forms.OtpForm()
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.signup_code_resend(signup=signup_request, ip=client_ip(request))
            messages.success(request, _("A new 6-digit code has been sent to your mobile phone number."))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("accounts:signup_otp")
    if request.method == "POST":
        form = forms.OtpForm(request.POST)
        if form.is_valid():
            try:
                services.signup_verify(signup=signup_request, token=form.cleaned_data["token"])
            except ApplicationError as error:
                if error.code == "signup_conflict":
                    request.session[SESSION_SIGNUP_CONFLICT] = {
                        "data": {
                            "ic_number": signup_request.ic_number,
                            "full_name": signup_request.full_name,
                            "email": signup_request.email,
                            "mobile": str(signup_request.mobile),
                        },
                        "errors": {key: str(value) for key, value in error.extra["fields"].items()},
                    }
                    request.session.pop(SESSION_SIGNUP, None)
                    return redirect("accounts:signup")
                form.add_error("token", error.message)
            else:
                request.session.pop(SESSION_SIGNUP, None)
                request.session["accounts_signup_done"] = True
                return redirect("accounts:signup_done")
    device = services.signup_device(signup=signup_request)
    next_resend_at = services._next_resend_at(device) if device else None
    context = {
        "form": form,
        "mobile": signup_request.mobile,
        "resend_in": _seconds_until(next_resend_at),
        "resend_at": next_resend_at,
        "resend_url": reverse("accounts:signup_otp"),
        "title": _("Sign Up"),
    }
    return render(request, "accounts/otp.html", context)


def signup_done(request):
    if not request.session.pop("accounts_signup_done", False):
        return redirect("accounts:login")
    return render(request, "accounts/signup_done.html")


# ---------------------------------------------------------------------------------------------------------
# E-mail links


def _link_invalid(request):
    return render(request, "accounts/link_invalid.html", {"message": services.LINK_INVALID}, status=410)


@never_cache
@sensitive_post_parameters("password1", "password2")
def activate(request, token):
    """GET shows the form and changes nothing (mail scanners open links); POST activates."""
    try:
        link = services.email_token_get(token=token, purpose=EmailToken.Purpose.ACTIVATE)
    except ApplicationError:
        return _link_invalid(request)
    user = link.user
    if request.method == "POST":
        form = forms.ActivationForm(request.POST, user=user)
        if form.is_valid():
            try:
                services.account_activate(
                    token=token,
                    secret_phrase=form.cleaned_data["secret_phrase"],
                    password=form.cleaned_data["password1"],
                )
            except ApplicationError:
                return _link_invalid(request)
            messages.success(
                request, _("Success! Your MATRIX account is active. Log in with your IC number.")
            )
            return redirect("accounts:login")
    else:
        form = forms.ActivationForm(user=user)
    return render(request, "accounts/activate.html", {"form": form, "account": user})


@never_cache
def forgot_password(request):
    if request.method == "POST":
        if _over_limit(
            request,
            scope="forgot",
            limit=conf.get("FORGOT_PASSWORD_MAX_PER_IP"),
            window=conf.get("FORGOT_PASSWORD_WINDOW_SECONDS"),
        ):
            return _too_many(request)
        form = forms.ForgotPasswordForm(request.POST)
        if form.is_valid():
            services.password_reset_request(ic_number=form.cleaned_data["ic_number"])
            return redirect("accounts:forgot_password_sent")
    else:
        form = forms.ForgotPasswordForm()
    return render(request, "accounts/forgot_password.html", {"form": form})


def forgot_password_sent(request):
    return render(request, "accounts/forgot_password_sent.html")


@never_cache
@sensitive_post_parameters("password1", "password2")
def reset_password(request, token):
    try:
        link = services.email_token_get(token=token, purpose=EmailToken.Purpose.RESET_PASSWORD)
    except ApplicationError:
        return _link_invalid(request)
    if request.method == "POST":
        form = forms.ResetPasswordForm(request.POST, user=link.user)
        if form.is_valid():
            try:
                services.password_reset_complete(token=token, password=form.cleaned_data["password1"])
            except ApplicationError:
                return _link_invalid(request)
            messages.success(request, _("Your password has been changed. Log in with your new password."))
            return redirect("accounts:login")
    else:
        form = forms.ResetPasswordForm(user=link.user)
    return render(request, "accounts/reset_password.html", {"form": form})


# ---------------------------------------------------------------------------------------------------------
# Log-in


@never_cache
def login_ic(request):
    """Step 1: the IC number only. The answer is the same whether or not the IC has an account."""
    if request.user.is_authenticated:
        return redirect(_landing(request.user))
    if request.method == "POST":
        if _over_limit(
            request,
            scope="login1",
            limit=conf.get("LOGIN_STEP1_MAX_PER_IP"),
            window=conf.get("LOGIN_STEP1_WINDOW_SECONDS"),
        ):
            return _too_many(request)
        form = forms.LoginIcForm(request.POST)
        if form.is_valid():
            request.session[SESSION_LOGIN_IC] = form.cleaned_data["ic_number"]
            next_url = _safe_next(request, request.POST.get("next"))
            if next_url:
                request.session[SESSION_LOGIN_NEXT] = next_url
            else:
                request.session.pop(SESSION_LOGIN_NEXT, None)
            return redirect("accounts:login_password")
    else:
        form = forms.LoginIcForm()
    context = {
        "form": form,
        "next": _safe_next(request, request.GET.get("next") or request.POST.get("next")) or "",
        "announcements": Announcement.objects.showing(),
    }
    return render(request, "accounts/login.html", context)


@never_cache
@sensitive_post_parameters("password")
def login_password(request):
    """Step 2: the account's secret phrase (or a decoy) and the password."""
    ic_number = request.session.get(SESSION_LOGIN_IC)
    if not ic_number:
        messages.info(request, _("Please enter your IC number first."))
        return redirect("accounts:login")
    form = forms.LoginPasswordForm()
    if request.method == "POST":
        form = forms.LoginPasswordForm(request.POST)
        if form.is_valid():
            user = authenticate(request, ic_number=ic_number, password=form.cleaned_data["password"])
            if user is not None:
                return _complete_login(request, user)
            _record_failure(request, ic_number)
            form.add_error(None, LOGIN_FAILED)
    context = {"form": form, "phrase": selectors.login_phrase(ic_number=ic_number)}
    return render(request, "accounts/login_password.html", context)


def _record_failure(request, ic_number: str) -> None:
    account = User.objects.filter(ic_number=ic_number).first()
    if account is not None:
        services.login_event_record(user=account, succeeded=False, ip=client_ip(request))
    logger.info("log-in failed")


def _landing(user) -> str:
    return reverse("accounts:staff_home") if user.is_staff else reverse("accounts:mode")


def _complete_login(request, user):
    previous = user.last_login
    failed = selectors.failed_logins_since(user=user, since=previous)
    next_url = request.session.pop(SESSION_LOGIN_NEXT, None)
    request.session.pop(SESSION_LOGIN_IC, None)
    login(request, user)  # a new session key; last_login is updated by Django
    request.session[SESSION_LAST_LOGIN] = previous.isoformat() if previous else None
    request.session[SESSION_FAILED_SINCE] = failed
    services.login_event_record(user=user, succeeded=True, ip=client_ip(request))
    services.user_session_record(user=user, session_key=request.session.session_key)
    next_url = _safe_next(request, next_url)
    if needs_second_factor(user):
        try:
            services.staff_second_factor_start(user=user, ip=client_ip(request))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect(_second_factor_url(next_url))
    return redirect(next_url or _landing(user))


def _second_factor_url(next_url: str | None) -> str:
    url = reverse("accounts:second_factor")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@never_cache
@login_required
@sensitive_post_parameters("token")
def second_factor(request):
    """Log-in step 3 for staff: the authenticator code, or the SMS code sent after the password.

    Passing it cycles the session key and marks the session verified the django-otp way (otp_login), so
    `request.user.is_verified()` holds from then on. Until then StaffSecondFactorMiddleware sends the
    session here from every other page.
    """
    user = request.user
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if not needs_second_factor(user) or user.is_verified():
        return redirect(next_url or _landing(user))
    method = services.staff_second_factor_method(user=user)
    form = forms.OtpForm()
    if method == services.SecondFactor.SMS and request.method == "POST" and "resend" in request.POST:
        try:
            services.staff_login_code_send(user=user, ip=client_ip(request), resend=True)
            messages.success(request, _("A new 6-digit code has been sent to your mobile phone number."))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect(_second_factor_url(next_url))
    if method and request.method == "POST":
        form = forms.OtpForm(request.POST)
        if form.is_valid():
            try:
                device = services.staff_second_factor_verify(user=user, token=form.cleaned_data["token"])
            except ApplicationError as error:
                form.add_error("token", error.message)
            else:
                _second_factor_passed(request, device, method)
                return redirect(next_url or _landing(user))
    context = {
        "form": form,
        "method": method,
        "next": next_url or "",
        "mobile": user.mobile,
        "missing": services.SECOND_FACTOR_MISSING,
    }
    if method == services.SecondFactor.SMS:
        device = services.staff_login_device(user=user)
        next_resend_at = services._next_resend_at(device) if device else None
        context.update(
            resend_in=_seconds_until(next_resend_at),
            resend_at=next_resend_at,
            code_sent=bool(device and device.token),
        )
    return render(request, "accounts/second_factor.html", context)


def _second_factor_passed(request, device, method: str) -> None:
    old_key = request.session.session_key
    request.session.cycle_key()  # a new session id at every step-up of authentication (ASVS 7.2.4)
    django_otp.login(request, device)
    services.user_session_forget(session_key=old_key)
    services.user_session_record(user=request.user, session_key=request.session.session_key)
    audit_record(
        action=AuditEvent.Action.STAFF_SECOND_FACTOR,
        actor=request.user,
        target=request.user,
        request=request,
        after={"method": method},
    )


@require_POST
def logout_view(request):
    services.user_session_forget(session_key=request.session.session_key)
    logout(request)  # flushes the session on the server
    messages.success(request, _("You have logged out."))
    return redirect("accounts:login")


# ---------------------------------------------------------------------------------------------------------
# Logged-in pages


def _last_login_context(request) -> dict:
    raw = request.session.get(SESSION_LAST_LOGIN)
    return {
        "last_login": timezone.localtime(dt.datetime.fromisoformat(raw)) if raw else None,
        "failed_since": request.session.get(SESSION_FAILED_SINCE, 0),
    }


@login_required
def mode(request):
    return render(request, "accounts/mode.html", _last_login_context(request))


@login_required
def staff_home(request):
    if not request.user.is_staff:
        raise Http404
    context = {"tools": selectors.staff_tools(user=request.user), **_last_login_context(request)}
    return render(request, "accounts/staff_home.html", context)


SETTINGS_FORMS = {
    "language": forms.LanguageForm,
    "password": forms.ChangePasswordForm,
    "phrase": forms.ChangePhraseForm,
    "mobile": forms.ChangeMobileForm,
    "email": forms.ChangeEmailForm,
}


def _settings_forms(user, bound_action=None, data=None):
    built = {}
    for action, form_class in SETTINGS_FORMS.items():
        kwargs = {"prefix": action}
        if form_class in (forms.ChangePasswordForm,):
            kwargs["user"] = user
        if action == "language":
            kwargs["initial"] = {"language": user.language}
        built[action] = form_class(data if action == bound_action else None, **kwargs)
    return built


@login_required
@never_cache
@sensitive_post_parameters("password-current_password", "password-password1", "password-password2")
def account_settings(request):
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    if action not in SETTINGS_FORMS:
        action = None
    all_forms = _settings_forms(user, action, request.POST if action else None)
    if action:
        form = all_forms[action]
        if form.is_valid():
            try:
                response = _settings_apply(request, action, form.cleaned_data)
            except ApplicationError as error:
                field = "current_password" if error.code == "wrong_password" else None
                if field is None and action in ("mobile", "email"):
                    field = action
                form.add_error(field, error.message)
            else:
                return response
    return render(request, "accounts/settings.html", {"forms": all_forms, "user": user})


def _settings_apply(request, action, data):
    user = request.user
    if action == "language":
        services.user_language_set(user=user, language=data["language"])
        messages.success(request, _("Your language preference has been saved."))
        return redirect("accounts:settings")
    if action == "password":
        services.user_password_change(
            user=user,
            current_password=data["current_password"],
            new_password=data["password1"],
            keep_session=request.session.session_key,
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed. Your other sessions were logged out."))
        return redirect("accounts:settings")
    if action == "phrase":
        services.user_secret_phrase_change(
            user=user, current_password=data["current_password"], secret_phrase=data["secret_phrase"]
        )
        messages.success(request, _("Your secret phrase has been changed."))
        return redirect("accounts:settings")
    if action == "mobile":
        sent = services.user_mobile_change_start(
            user=user, current_password=data["current_password"], mobile=data["mobile"], ip=client_ip(request)
        )
        request.session[SESSION_MOBILE_DEVICE] = sent.device.pk
        return redirect("accounts:settings_mobile_otp")
    services.user_email_change_start(
        user=user, current_password=data["current_password"], email=data["email"]
    )
    messages.success(
        request, _("We have sent a link to your new e-mail address. Open it to confirm the change.")
    )
    return redirect("accounts:settings")


@login_required
@never_cache
def settings_mobile_otp(request):
    device_id = request.session.get(SESSION_MOBILE_DEVICE)
    device = (
        SmsDevice.objects.filter(
            pk=device_id, user=request.user, purpose=SmsDevice.Purpose.CHANGE_MOBILE
        ).first()
        if device_id
        else None
    )
    if device is None:
        return redirect("accounts:settings")
    form = forms.OtpForm()
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.user_mobile_change_resend(user=request.user, device_id=device.pk, ip=client_ip(request))
            messages.success(request, _("A new 6-digit code has been sent to your new mobile phone number."))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("accounts:settings_mobile_otp")
    if request.method == "POST":
        form = forms.OtpForm(request.POST)
        if form.is_valid():
            try:
                services.user_mobile_change_verify(
                    user=request.user, device_id=device.pk, token=form.cleaned_data["token"]
                )
            except ApplicationError as error:
                form.add_error("token", error.message)
            else:
                request.session.pop(SESSION_MOBILE_DEVICE, None)
                messages.success(request, _("Your mobile phone number has been changed."))
                return redirect("accounts:settings")
    next_resend_at = services._next_resend_at(device)
    context = {
        "form": form,
        "mobile": device.phone,
        "resend_in": _seconds_until(next_resend_at),
        "resend_at": next_resend_at,
        "resend_url": reverse("accounts:settings_mobile_otp"),
        "title": _("Change Mobile Phone Number"),
    }
    return render(request, "accounts/otp.html", context)


@never_cache
def confirm_email(request, token):
    try:
        link = services.email_token_get(token=token, purpose=EmailToken.Purpose.CHANGE_EMAIL)
    except ApplicationError:
        return _link_invalid(request)
    if request.method == "POST":
        try:
            services.user_email_change_confirm(token=token)
        except ApplicationError as error:
            if error.code == "link_invalid":
                return _link_invalid(request)
            messages.error(request, error.message)
            return redirect("accounts:login")
        messages.success(request, _("Your e-mail address has been changed."))
        return redirect("accounts:settings" if request.user.is_authenticated else "accounts:login")
    return render(request, "accounts/confirm_email.html", {"new_email": link.new_email})
