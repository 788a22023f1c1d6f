from django.apps import apps
from django.core.management.base import BaseCommand

from contributions import reference_data as contribution_data
from payments import reference_data as bank_data


class Command(BaseCommand):
    help = "Load sectors, classes, plans, states, towns, offices and FPX banks (idempotent)."

    def handle(self, *args, **options):
        contribution_data.load(apps)
        bank_data.load(apps)
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
