"""Demo staff for `make run`: counter staff, reviewer, supervisor and superuser (development settings only).

The superuser also gets a one-time static token and a TOTP device, printed here, because the admin
requires a second factor.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import ensure_role_groups

DEMO_STAFF = [
    # (IC, name, e-mail, role group or None for superuser)
    ("800101145001", "Demo Counter Staff", "counter@demo.matrix.local", "counter_staff"),
    ("800101145003", "Demo Document Reviewer", "reviewer@demo.matrix.local", "document_reviewer"),
    ("800101145005", "Demo Supervisor", "supervisor@demo.matrix.local", "supervisor"),
    ("800101145007", "Demo Superuser", "admin@demo.matrix.local", None),
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
        self.stdout.write("Demo staff accounts (log in at /accounts/login/ with IC number and password):")
        for ic, name, email, role in DEMO_STAFF:
            user = User.objects.filter(ic_number=ic).first()
            if user is None:
                user = User.objects.create_user(
                    ic,
                    DEMO_PASSWORD,
                    full_name=name,
                    email=email,
                    is_active=True,
                    is_staff=True,
                    is_superuser=role is None,
                    secret_phrase="demo staff phrase",
                )
            if role:
                user.groups.add(groups[role])
            self.stdout.write(f"  {role or 'superuser':<18} IC {ic}  password {DEMO_PASSWORD}")
            if role is None:
                self._admin_second_factor(user)

    def _admin_second_factor(self, user):
        """The admin asks for an OTP: a static token and a TOTP device for the demo superuser."""
        static_device, _created = StaticDevice.objects.get_or_create(
            user=user, name="demo backup codes", defaults={"confirmed": True}
        )
        static_device.token_set.all().delete()
        token = StaticToken.random_token()
        static_device.token_set.create(token=token)
        totp = TOTPDevice.objects.filter(user=user, name="demo authenticator").first()
        if totp is None:
            totp = TOTPDevice.objects.create(user=user, name="demo authenticator", confirmed=True)
        self.stdout.write(f"  admin second factor: one-time static token {token}")
        self.stdout.write(f"  or add this to an authenticator app: {totp.config_url}")
