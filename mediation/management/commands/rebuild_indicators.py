import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mediation.indicators import REGISTRY
from mediation.services import indicator_store


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text}") from exc


class Command(BaseCommand):
    help = (
        "Recompute the stored indicator figures: today's and the days the scheduled work keeps fresh, or the "
        "days given; with --verify, check them against a recount."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--day", action="append", type=_day, help="a day to rebuild (YYYY-MM-DD; repeatable)"
        )
        parser.add_argument(
            "--code", action="append", help="an indicator to rebuild (repeatable; all by default)"
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="compare the stored figures with a recount; fail on a difference",
        )

    def handle(self, *args, day=None, code=None, verify=False, **options):
        unknown = sorted(set(code or ()) - set(REGISTRY))
        if unknown:
            raise CommandError(f"Unknown indicator(s): {', '.join(unknown)}")
        days = sorted(set(day or indicator_store.maintained(timezone.localdate())))
        done = indicator_store.rebuild(days, code)
        self.stdout.write(f"{done} snapshot(s) rebuilt for {', '.join(d.isoformat() for d in days)}")
        if verify:
            differences = indicator_store.verify(days, code)
            for line in differences:
                self.stderr.write(line)
            if differences:
                raise CommandError(f"{len(differences)} stored figure(s) differ from a recount")
            self.stdout.write("The stored figures equal a recount.")
