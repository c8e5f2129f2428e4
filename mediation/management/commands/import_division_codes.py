from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mediation.services.division_codes import DivisionCodeError, import_division_codes


class Command(BaseCommand):
    help = (
        "Load streets/towns and communities/villages of the district from the national statistics "
        "division-code table (统计用区划代码), a CSV or xlsx file. Idempotent; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--district", help="district code (default: settings.DISTRICT_CODE)")

    def handle(self, *args, file: Path, district=None, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist")
        try:
            report = import_division_codes(file, district)
        except DivisionCodeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.skipped} outside the district skipped"
        )
