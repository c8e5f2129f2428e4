from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from mediation.models import ImportKind
from mediation.services.registry_import import import_file


class Command(BaseCommand):
    help = (
        "Import registry rows from an xlsx sheet made from the template: organizations, mediators (with their "
        "appointments) or training attendance. All or nothing; importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            help="import as this user (their permission and area apply); without it, the whole registry",
        )

    def handle(self, *args, kind: str, file: Path, user=None, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist")
        if user is not None:
            try:
                user = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"no user {user!r}") from exc
        with file.open("rb") as fileobj:
            report = import_file(kind, fileobj, user=user)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} error(s); nothing was written")
        for what, counts in report.summary().items():
            self.stdout.write(
                f"{what}: {counts.get('created', 0)} created, {counts.get('updated', 0)} updated, "
                f"{counts.get('unchanged', 0)} unchanged"
            )
