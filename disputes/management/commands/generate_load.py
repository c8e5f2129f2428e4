import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated PostgreSQL database with a realistic municipal dataset (重庆市: 38 districts, their "
        "streets, communities and grids, units, organizations, staff, and N disputes over five years with their "
        "whole history, alerts and patrols) through COPY. Deterministic: the same seed, size and --now give the "
        "same rows. Refuses a database that already holds disputes, and SQLite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--disputes", type=int, required=True, help="how many disputes")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--years", type=int, default=5, help="years of history before now (default 5)")
        parser.add_argument(
            "--now", help="the generation's 'now' as an ISO datetime (default: the current time)"
        )
        parser.add_argument(
            "--home-share",
            type=float,
            default=0.10,
            help="share of the disputes in the home district (settings.DISTRICT_CODE, default 0.10)",
        )
        parser.add_argument(
            "--districts", type=int, default=38, help="districts, the home one included (≤ 38)"
        )
        parser.add_argument("--streets", type=int, default=10, help="streets/towns per generated district")
        parser.add_argument("--communities", type=int, default=10, help="communities/villages per street")
        parser.add_argument("--grids", type=int, default=5, help="grids per community")
        parser.add_argument(
            "--grid-patrol-days",
            type=int,
            default=60,
            help="days of grids' daily patrol duties kept (default 60)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="build every row and keep none (times the generator itself; the database is left as it was)",
        )

    def handle(self, *args, **options):
        from disputes.loadgen.run import GeneratorIncomplete, GeneratorRefused, Options, generate
        from disputes.loadgen.world import Fanout

        now = None
        if options["now"]:
            now = parse_datetime(options["now"])
            if now is None:
                raise CommandError(f"--now: not an ISO datetime: {options['now']!r}")
            if now.tzinfo is None:
                from django.utils import timezone

                now = timezone.make_aware(now)
        if options["disputes"] < 1:
            raise CommandError("--disputes must be at least 1")
        if not 0 < options["home_share"] <= 1:
            raise CommandError("--home-share is a share between 0 and 1")
        opts = Options(
            disputes=options["disputes"],
            seed=options["seed"],
            years=options["years"],
            now=now,
            home_share=options["home_share"],
            fanout=Fanout(
                districts=max(1, min(38, options["districts"])),
                streets=max(1, options["streets"]),
                communities=max(1, options["communities"]),
                grids=max(1, options["grids"]),
            ),
            grid_patrol_days=max(1, options["grid_patrol_days"]),
            sink=(lambda table, data: None) if options["dry_run"] else None,
        )
        try:
            result = generate(opts, out=self.stdout.write)
        except (GeneratorRefused, GeneratorIncomplete) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {opts.disputes:,} disputes in {dt.timedelta(seconds=round(result['seconds']))}."
            )
        )
        if not options["dry_run"]:
            # The stored figures are the scheduled work's, not the dataset's (about two minutes at 10^6).
            self.stdout.write(
                "The indicator figures are not stored yet: run `manage.py rebuild_indicators` (the "
                "refresh_indicators job does it every ten minutes once the platform runs)."
            )
