"""The "I'm not a robot" check: an ALTCHA proof of work, self-hosted, with no third-party service.

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
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_altcha import AltchaField, AltchaWidget

from accounts import conf

ROBOT_REQUIRED = _("Tick “I'm not a robot” and wait until it says Verified, then press Next again.")
ROBOT_INVALID = _("The “I'm not a robot” check did not pass or has expired. Please tick it again.")


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
        return context


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

    def validate(self, value):
        if value in self.empty_values:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        try:
            verified, _error = altcha.verify_solution(payload=value, hmac_key=hmac_key(), check_expires=True)
        except Exception as exc:  # noqa: BLE001 - any malformed payload is simply a failed check
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if not verified:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        self.replay_attack_protection(payload=value)
