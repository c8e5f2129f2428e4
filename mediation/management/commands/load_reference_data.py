from django.core.management.base import BaseCommand

from mediation.services.reference import load_reference_data


class Command(BaseCommand):
    help = "Load Dadukou's region tree down to streets/towns and every unit the plan names (idempotent)."

    def handle(self, *args, **options):
        for name, result in load_reference_data().items():
            self.stdout.write(
                f"{name}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
            )
