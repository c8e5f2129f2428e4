from django.core.management.base import BaseCommand, CommandError

from mediation import periodic


class Command(BaseCommand):
    help = "Run a periodic job by hand (the same code beat runs), or list the jobs with --list."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?")
        parser.add_argument("--list", action="store_true")

    def handle(self, *args, name=None, list=False, **options):
        jobs = periodic.discover()
        if list or not name:
            for job in sorted(jobs):
                self.stdout.write(job)
            return
        try:
            record = periodic.run(name)
        except KeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{name}: {record.outcome}, {record.processed} processed")
