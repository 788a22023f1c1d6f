"""Create the FPX keys and certificates used with the simulator (development and tests)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from payments import keys


class Command(BaseCommand):
    help = (
        "Generate the merchant and simulated-gateway RSA keys and certificates at the FPX_* paths "
        "(var/fpx by default). Existing files are kept unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Replace existing keys and certificates.")
        parser.add_argument(
            "--merchant-only",
            action="store_true",
            help="Only the merchant pair (to produce a key whose certificate is registered with PayNet).",
        )

    def handle(self, *args, force=False, merchant_only=False, **options):
        pairs = [("merchant", keys.merchant_pair())]
        if not merchant_only:
            pairs.append(("simulated gateway", keys.gateway_pair()))
        for label, pair in pairs:
            created = keys.generate_pair(pair, force=force)
            state = "created" if created else "kept (already there)"
            self.stdout.write(f"{label}: {pair.key_path} and {pair.cert_path} {state}")
        if not settings.FPX_SIMULATOR_ENABLED:
            self.stdout.write(
                "The simulator is off: point FPX_GATEWAY_CERT_PATH at the certificate FPX gave you."
            )
