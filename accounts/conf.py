"""Account settings with their defaults; any of them can be overridden in the Django settings."""

from django.conf import settings

DEFAULTS = {
    # SMS codes (django-otp side-channel device).
    "OTP_SMS_VALIDITY_SECONDS": 300,
    "OTP_SMS_COOLDOWN_SECONDS": 60,
    "OTP_SMS_THROTTLE_FACTOR": 1,
    "OTP_SMS_MAX_WRONG_TRIES": 5,
    "OTP_SMS_MAX_PER_NUMBER_PER_HOUR": 5,
    "OTP_SMS_MAX_PER_IP_PER_HOUR": 20,
    # E-mail links.
    "ACTIVATION_LINK_HOURS": 24,
    "PASSWORD_RESET_LINK_HOURS": 1,
    "EMAIL_CHANGE_LINK_HOURS": 24,
    # Log-in step 1 and forgot-password requests per IP address.
    "LOGIN_STEP1_MAX_PER_IP": 30,
    "LOGIN_STEP1_WINDOW_SECONDS": 300,
    "FORGOT_PASSWORD_MAX_PER_IP": 10,
    "FORGOT_PASSWORD_WINDOW_SECONDS": 3600,
    # The "I'm not a robot" proof of work: how many hashes the browser may need at most.
    "ROBOT_CHECK_MAX_NUMBER": 100_000,
    # Sign-ups from browsers without JavaScript skip the proof of work, so they get a small budget of their
    # own: at most this many sign-up starts an hour from one IP address, and for the whole site.
    "SIGNUP_NO_JS_MAX_PER_IP_PER_HOUR": 3,
    "SIGNUP_NO_JS_MAX_PER_HOUR": 60,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
