"""Demo staff for `make run`: counter staff, reviewer, supervisor and superuser (development settings only).

Staff pass a second factor after the password: each demo account has a mobile number, so its log-in code
arrives as an SMS in the dev outbox (/dev/outbox/). The superuser also gets a one-time static token for the
admin's own log-in form, printed here.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import ensure_role_groups

DEMO_STAFF = [
    # (IC, name, e-mail, mobile, role group or None for superuser)
    ("800101145001", "Demo Counter Staff", "counter@demo.matrix.local", "+601110005001", "counter_staff"),
    (
        "800101145003",
        "Demo Document Reviewer",
        "reviewer@demo.matrix.local",
        "+601110005003",
        "document_reviewer",
    ),
    ("800101145005", "Demo Supervisor", "supervisor@demo.matrix.local", "+601110005005", "supervisor"),
    ("800101145007", "Demo Superuser", "admin@demo.matrix.local", "+601110005007", None),
]
DEMO_PASSWORD = "Demo-Staff-Pass-2026"  # noqa: S105 - printed for local demos only; refused in production


class Command(BaseCommand):
    help = "Create the demo staff accounts (development settings only) and print their credentials."

    def handle(self, *args, **options):
        # The development settings switch this on (DEBUG may be off there); production never does.
        if not getattr(settings, "DEMO_ACCOUNTS_ENABLED", False):
            raise CommandError("Demo accounts are only created under the development settings.")
        groups = ensure_role_groups()
        User = get_user_model()
        self.stdout.write(
            "Demo staff accounts (log in at /accounts/login/ with IC number and password; the SMS code of "
            "the second step is in the dev outbox, /dev/outbox/):"
        )
        for ic, name, email, mobile, role in DEMO_STAFF:
            user = User.objects.filter(ic_number=ic).first()
            if user is None:
                user = User.objects.create_user(
                    ic,
                    DEMO_PASSWORD,
                    full_name=name,
                    email=email,
                    mobile=mobile,
                    is_active=True,
                    is_staff=True,
                    is_superuser=role is None,
                    secret_phrase="demo staff phrase",
                )
            elif not user.mobile and not User.objects.filter(mobile=mobile).exists():
                user.mobile = mobile  # demo accounts made before staff needed a second factor
                user.save(update_fields=["mobile"])
            if role:
                user.groups.add(groups[role])
            self.stdout.write(
                f"  {role or 'superuser':<18} IC {ic}  password {DEMO_PASSWORD}  mobile {mobile}"
            )
            # Older demo databases gave the superuser an authenticator, which would be asked for instead of
            # the SMS: the demo logs in with the outbox, so it goes (enrol_totp gives a real one).
            TOTPDevice.objects.filter(user=user, name="demo authenticator").delete()
            if role is None:
                self._admin_backup_code(user)

    def _admin_backup_code(self, user):
        """The admin's own log-in form asks for an OTP too: a one-time static token for the demo superuser."""
        static_device, _created = StaticDevice.objects.get_or_create(
            user=user, name="demo backup codes", defaults={"confirmed": True}
        )
        static_device.token_set.all().delete()
        token = StaticToken.random_token()
        static_device.token_set.create(token=token)
        self.stdout.write(f"  admin log-in form second factor: one-time static token {token}")
