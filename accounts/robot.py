"""The "I'm not a robot" check: an ALTCHA proof of work, self-hosted, with no third-party service.

Browsers without JavaScript cannot solve the proof of work. The script fills a marker field (JS_FIELD) as
the page loads; a form that comes without it and without a proof goes ahead anyway, but only within a small
hourly budget of such sign-ups per IP address and for the whole site (no_js_budget_take). Anyone may leave
the marker out, so the budget is the real guard on that path; the SMS code limits per number and per IP
address come after it.

The server side is django-altcha's AltchaField (signature, expiry and single-use checks through the `altcha`
library). The browser side is our own small script (static/accounts/js/robot-check.js) instead of the
ALTCHA web component that django-altcha ships: that component injects a <style> element and starts its
workers from blob: URLs, both of which our Content-Security-Policy (no 'unsafe-inline') refuses.
"""

import datetime
import json

import altcha
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_altcha import AltchaField, AltchaWidget

from accounts import conf

ROBOT_REQUIRED = _("Tick “I'm not a robot” and wait until it says Verified, then press Next again.")
ROBOT_INVALID = _("The “I'm not a robot” check did not pass or has expired. Please tick it again.")
NO_JS_BUDGET_SPENT = _(
    "Too many people have signed up without JavaScript in the last hour. Please turn on JavaScript and tick "
    "“I'm not a robot”, try again in an hour, or register at any PERKESO office."
)
JS_FIELD = "robot_js"  # set to "1" by robot-check.js as the page loads: the browser runs scripts


def hmac_key() -> str:
    return getattr(settings, "ALTCHA_HMAC_KEY", "") or salted_hmac("accounts.robot", "altcha").hexdigest()


def challenge_create() -> dict:
    expires = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=20)
    challenge = altcha.create_challenge(
        hmac_key=hmac_key(), max_number=conf.get("ROBOT_CHECK_MAX_NUMBER"), expires=expires
    )
    return challenge.to_dict()


class RobotCheckWidget(AltchaWidget):
    template_name = "accounts/widgets/robot_check.html"

    def get_context(self, name, value, attrs):
        context = forms.HiddenInput.get_context(self, name, "", attrs)
        context["widget"]["challenge_json"] = json.dumps(challenge_create())
        context["widget"]["js_field"] = JS_FIELD
        return context


def no_js_budget_take(
    *, ip: str | None, now=None, per_ip: int | None = None, site: int | None = None
) -> bool:
    """Count one sign-up start without the proof of work; False when the hour's budget is already spent
    (for this IP address or for the whole site). Fixed clock-hour windows in the shared cache (Redis)."""
    now = now or datetime.datetime.now(tz=datetime.UTC)
    per_ip = conf.get("SIGNUP_NO_JS_MAX_PER_IP_PER_HOUR") if per_ip is None else per_ip
    site = conf.get("SIGNUP_NO_JS_MAX_PER_HOUR") if site is None else site
    hour = now.astimezone(datetime.UTC).strftime("%Y%m%d%H")
    keys = [
        (f"accounts:nojs-signup:ip:{ip or 'unknown'}:{hour}", per_ip),
        (f"accounts:nojs-signup:site:{hour}", site),
    ]
    for key, limit in keys:
        cache.add(key, 0, timeout=3600 + 60)
        if cache.get(key, 0) >= limit:
            return False
    for key, _limit in keys:
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, timeout=3600 + 60)
    return True


class RobotCheckField(AltchaField):
    widget = RobotCheckWidget
    default_error_messages = {
        "error": ROBOT_INVALID,
        "invalid": ROBOT_INVALID,
        "required": ROBOT_REQUIRED,
        "replay": ROBOT_INVALID,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("I'm not a robot"))
        super().__init__(**kwargs)
        self.waived = False  # set by the form for a browser without JavaScript (see the module's note)

    def validate(self, value):
        if self.waived and value in self.empty_values:
            return
        if value in self.empty_values:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        try:
            verified, _error = altcha.verify_solution(payload=value, hmac_key=hmac_key(), check_expires=True)
        except Exception as exc:  # noqa: BLE001 - any malformed payload is simply a failed check
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if not verified:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        self.replay_attack_protection(payload=value)
