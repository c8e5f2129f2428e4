from django.core.management.base import BaseCommand, CommandError

from mediation.models import Region
from mediation.services.division_codes import DivisionCodeError, add_grids


class Command(BaseCommand):
    help = "Add grids under a community or village, by name or by count."

    def add_arguments(self, parser):
        parser.add_argument("community", help="division code of the community or village")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--names", nargs="+", help="names of the grids to add")
        group.add_argument("--count", type=int, help="number of numbered grids to add")

    def handle(self, *args, community, names=None, count=None, **options):
        region = Region.objects.filter(code=community).first()
        if region is None:
            raise CommandError(f"No region with code {community}")
        try:
            grids = add_grids(region, names=names, count=count)
        except DivisionCodeError as exc:
            raise CommandError(str(exc)) from exc
        for grid in grids:
            self.stdout.write(f"{grid.code} {grid.name}")
        self.stdout.write(f"{len(grids)} grid(s) added under {region.name}")
