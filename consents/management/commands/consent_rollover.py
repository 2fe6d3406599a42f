from django.core.management.base import BaseCommand

from consents.retention import consent_rollover
from consents.selectors import current_school_year


class Command(BaseCommand):
    help = "Start a school year's consent round: list students without a current decision."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="School year, e.g. 2026")

    def handle(self, *args, year=None, **options):
        year = year or current_school_year()
        counts = consent_rollover(year)
        self.stdout.write(
            f"School year {year}/{(year + 1) % 100:02d}: {sum(counts.values())} students "
            f"without a current decision in {len(counts)} schools."
        )
