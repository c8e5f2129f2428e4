from django.core.management.base import BaseCommand

from mediation.roles import GROUP_NAMES, sync_roles


class Command(BaseCommand):
    help = "Create the role groups and set their model permissions (idempotent)."

    def handle(self, *args, **options):
        for role, count in sync_roles(strict=True).items():
            self.stdout.write(f"{GROUP_NAMES[role]} ({role}): {count} permissions")
