from django.core.management.base import BaseCommand

from disputes.services.defaults import load_defaults


class Command(BaseCommand):
    help = (
        "Add the default dispute categories, time limits, risk rules and routing rules (idempotent: rows the "
        "office has edited are left as they are)."
    )

    def handle(self, *args, **options):
        for name, count in load_defaults().items():
            self.stdout.write(f"{name}: {count} added")
