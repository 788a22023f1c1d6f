"""Give a member of staff an authenticator app (TOTP) device for the admin's second factor.

    manage.py enrol_totp 800101145007

prints an otpauth:// link and a QR code to scan with any authenticator app (Google Authenticator, Microsoft
Authenticator, FreeOTP...). Run it on the server, in front of the person; the secret is shown only once.
"""

import io

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import ic as ic_numbers


class Command(BaseCommand):
    help = "Create a confirmed TOTP device for a staff account and print its QR code."

    def add_arguments(self, parser):
        parser.add_argument("ic_number")
        parser.add_argument("--name", default="authenticator app")
        parser.add_argument("--replace", action="store_true", help="Delete the account's other TOTP devices.")

    def handle(self, *args, ic_number, name, replace, **options):
        user = get_user_model().objects.filter(ic_number=ic_numbers.normalise(ic_number)).first()
        if user is None or not user.is_staff:
            raise CommandError("No staff account with that IC number.")
        if replace:
            TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        url = device.config_url
        self.stdout.write(f"TOTP device created for {user.ic_masked}. Scan this with an authenticator app:")
        qr = io.StringIO()
        segno.make(url, error="m").terminal(out=qr, compact=True)
        self.stdout.write(qr.getvalue())
        self.stdout.write(url)
