import importlib

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import translation

from mediation.demo import foundation
from mediation.roles import sync_roles


class Command(BaseCommand):
    help = (
        "Load the reference data, the role groups and the demo data (communities, grids, platforms, one account "
        "per role, and each app's demo records). Idempotent: running it again adds nothing twice."
    )

    def handle(self, *args, **options):
        translation.activate("zh-hans")
        call_command("load_reference_data", stdout=self.stdout)
        sync_roles(strict=True)
        foundation.load_regions()
        accounts = foundation.load_accounts()
        # Each app may add its own demo records in its demo package: <app>.demo.load_demo(stdout).
        for config in apps.get_app_configs():
            if config.name in {"mediation", "disputes", "tasks_plan"} or config.name.startswith("mediation."):
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.load_demo(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo accounts (username / password / role):"))
        for username, password, role in accounts:
            self.stdout.write(f"  {username:<12} {password}  {role}")
